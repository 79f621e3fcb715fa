using System.Web;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Shopee.Tests;

public sealed class ShopeeSigningHandlerTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_667_260_800);

    [Fact]
    public async Task Send_AddsCommonParametersAndSignature_KeepingTheCallsOwn()
    {
        var capture = new CapturingHandler();
        using var handler = new ShopeeSigningHandler(2001887, "test-partner-key-0123", new FakeTimeProvider(Now)) { InnerHandler = capture };
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://platform.test/api/v2/order/get_order_list?page_size=100&cursor=");
        request.Options.Set(new HttpRequestOptionsKey<ShopCredentials>(ShopeeSigningHandler.ShopProperty), new ShopCredentials(10001, "6d6a4b2e7f3c4a1b9e8d"));

        using var _ = await invoker.SendAsync(request, CancellationToken.None);

        var query = HttpUtility.ParseQueryString(capture.Uri!.Query);
        Assert.Equal("100", query["page_size"]);
        Assert.Equal("2001887", query["partner_id"]);
        Assert.Equal("1667260800", query["timestamp"]);
        Assert.Equal("6d6a4b2e7f3c4a1b9e8d", query["access_token"]);
        Assert.Equal("10001", query["shop_id"]);

        // The same vector as ShopeeSignerTests, computed with openssl.
        Assert.Equal("18c5bbc0ed071ff28ef14042ddff1072faf7ffc6e14f9a03f9e52cd5f7a3322b", query["sign"]);
    }

    [Fact]
    public async Task Send_WithoutShopCredentials_Throws()
    {
        using var handler = new ShopeeSigningHandler(1, "k", new FakeTimeProvider(Now)) { InnerHandler = new CapturingHandler() };
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://platform.test/api/v2/order/get_order_list");

        await Assert.ThrowsAsync<InvalidOperationException>(() => invoker.SendAsync(request, CancellationToken.None));
    }

    [Fact]
    public async Task Send_TheTokenRefresh_IsSignedAsAPublicCall_OverPartnerPathAndTimestamp()
    {
        var capture = new CapturingHandler();
        using var handler = new ShopeeSigningHandler(2001887, "test-partner-key-0123", new FakeTimeProvider(Now)) { InnerHandler = capture };
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://platform.test/api/v2/auth/access_token/get");

        using var _ = await invoker.SendAsync(request, CancellationToken.None);

        var query = HttpUtility.ParseQueryString(capture.Uri!.Query);
        Assert.Equal("partner_id,timestamp,sign", string.Join(",", query.AllKeys));
        Assert.Equal("2001887", query["partner_id"]);
        Assert.Equal("1667260800", query["timestamp"]);
        Assert.Equal("e4c6d1d3293ce5f59859efe180371d78a3361a4923102d90284e8d374d3f42a7", query["sign"]);
    }

    [Fact]
    public void ShopCredentials_ToString_HidesTheToken()
    {
        Assert.DoesNotContain("secret-token", new ShopCredentials(1, "secret-token").ToString(), StringComparison.Ordinal);
    }

    private sealed class CapturingHandler : HttpMessageHandler
    {
        public Uri? Uri { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Uri = request.RequestUri;
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
