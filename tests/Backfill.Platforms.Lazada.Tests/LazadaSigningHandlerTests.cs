using System.Web;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Lazada.Tests;

public sealed class LazadaSigningHandlerTests
{
    // 2026-08-01T00:00:00+08:00.
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1_785_513_600_000);

    [Theory]
    [InlineData("https://api.lazada.sg/rest")]
    [InlineData("https://api.lazada.sg/rest/")]
    public async Task Send_SellerCall_AddsCommonParametersAndTheSignatureOverTheApiName(string baseUrl)
    {
        var capture = new CapturingHandler();
        using var handler = new LazadaSigningHandler("100001", "app-secret", new Uri(baseUrl), new FakeTimeProvider(Now)) { InnerHandler = capture };
        using var invoker = new HttpMessageInvoker(handler);
        var uri = LazadaQuery.Address(new Uri(baseUrl), LazadaPaths.OrderList, [KeyValuePair.Create("created_after", "2026-08-01T00:00:00+08:00"), KeyValuePair.Create("limit", "100"), KeyValuePair.Create("status", "")]);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Options.Set(LazadaSigningHandler.SellerKey, new SellerToken("tok"));

        using var _ = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal("/rest/orders/get", capture.Uri!.AbsolutePath);
        var query = HttpUtility.ParseQueryString(capture.Uri.Query);
        Assert.Equal("2026-08-01T00:00:00+08:00", query["created_after"]);
        Assert.Equal(("100001", "1785513600000", "sha256", "tok"), (query["app_key"], query["timestamp"], query["sign_method"], query["access_token"]));

        // printf '%s' '/orders/getaccess_tokentokapp_key100001created_after2026-08-01T00:00:00+08:00limit100sign_methodsha256timestamp1785513600000'
        //   | openssl dgst -sha256 -hmac app-secret, upper-cased.
        Assert.Equal("2264DDF138FD90DD9E90170441CAE2A182477694DBECD208264773B0206F6185", query["sign"]);
    }

    [Fact]
    public async Task Send_TheTokenRefresh_IsSignedAsAnAppCall_WithoutAnAccessToken()
    {
        var capture = new CapturingHandler();
        var baseUrl = new Uri("https://api.lazada.sg/rest");
        using var handler = new LazadaSigningHandler("100001", "app-secret", baseUrl, new FakeTimeProvider(Now)) { InnerHandler = capture };
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, LazadaQuery.Address(baseUrl, LazadaPaths.TokenRefresh, [KeyValuePair.Create("refresh_token", "ref")]));

        using var _ = await invoker.SendAsync(request, CancellationToken.None);

        var query = HttpUtility.ParseQueryString(capture.Uri!.Query);
        Assert.Equal("refresh_token,app_key,timestamp,sign_method,sign", string.Join(",", query.AllKeys));
        Assert.Equal("F1E2B899227A24C03BE57A6E9683FCCB1F707041BDDD255886F1472D1FCABD86", query["sign"]);
    }

    [Fact]
    public async Task Send_ARetriedRequest_IsSignedAgainWithAFreshTimestamp_NotTwice()
    {
        var capture = new CapturingHandler();
        var time = new FakeTimeProvider(Now);
        var baseUrl = new Uri("https://api.lazada.sg/rest/");
        using var handler = new LazadaSigningHandler("100001", "app-secret", baseUrl, time) { InnerHandler = capture };
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, LazadaQuery.Address(baseUrl, LazadaPaths.OrderList, []));
        request.Options.Set(LazadaSigningHandler.SellerKey, new SellerToken("tok"));

        using (await invoker.SendAsync(request, CancellationToken.None))
        {
        }

        time.Advance(TimeSpan.FromSeconds(2));
        using (await invoker.SendAsync(request, CancellationToken.None))
        {
        }

        var query = HttpUtility.ParseQueryString(capture.Uri!.Query);
        Assert.Equal("1785513602000", Assert.Single(query.GetValues("timestamp")!));
        Assert.Single(query.GetValues("sign")!);
    }

    [Fact]
    public async Task Send_ASellerCallWithoutItsToken_Throws()
    {
        var baseUrl = new Uri("https://api.lazada.sg/rest");
        using var handler = new LazadaSigningHandler("1", "s", baseUrl, new FakeTimeProvider(Now)) { InnerHandler = new CapturingHandler() };
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, LazadaQuery.Address(baseUrl, LazadaPaths.OrderList, []));

        await Assert.ThrowsAsync<InvalidOperationException>(() => invoker.SendAsync(request, CancellationToken.None));
    }

    [Fact]
    public void SellerToken_ToString_HidesTheToken()
    {
        Assert.DoesNotContain("secret-token", new SellerToken("secret-token").ToString(), StringComparison.Ordinal);
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
