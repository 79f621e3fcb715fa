using Backfill.Platforms.Shopee;

namespace Backfill.Platforms.Tests.Shopee;

public sealed class ShopeeResponseReaderTests
{
    private static readonly string[] Secrets = ["partner-key-secret", "token-secret"];

    private static OrderListResponse ReadList(int status, string body) =>
        ShopeeResponseReader.Read("demo", status, null, body, ShopeeJsonContext.Default.ShopeeEnvelopeOrderListResponse, Secrets);

    [Fact]
    public void Read_OrderList_ReturnsPayload()
    {
        var list = ReadList(200, """
            {"error":"","message":"","request_id":"r1",
             "response":{"more":true,"next_cursor":"abc","order_list":[{"order_sn":"220110DYQX6AH5"}]}}
            """);

        Assert.True(list.More);
        Assert.Equal("abc", list.NextCursor);
        Assert.Equal("220110DYQX6AH5", Assert.Single(list.OrderList).OrderSn);
    }

    [Fact]
    public void Read_OrderDetail_ReadsSnakeCaseFields()
    {
        var detail = ShopeeResponseReader.Read("demo", 200, null, """
            {"response":{"order_list":[{"order_sn":"A","order_status":"COMPLETED","create_time":1667260800,
             "update_time":1667347200,"total_amount":123.45,"currency":"TWD","region":"TW"}]}}
            """, ShopeeJsonContext.Default.ShopeeEnvelopeOrderDetailResponse, Secrets);

        var order = Assert.Single(detail.OrderList);
        Assert.Equal(new OrderDetail("A", "COMPLETED", 1667260800, 1667347200, 123.45m, "TWD"), order);
    }

    [Theory]
    [InlineData("<html>Bad Gateway</html>")]
    [InlineData("")]
    [InlineData("{\"error\":\"\",\"response\":")]
    public void Read_MalformedBody_IsTransientBadResponse(string body)
    {
        var failure = Assert.Throws<PlatformException>(() => ReadList(200, body));

        Assert.Equal(PlatformErrorKind.Transient, failure.Kind);
        Assert.Equal("bad_response", failure.Code);
    }

    [Theory]
    [InlineData("""{"error":"","request_id":"r"}""")]
    [InlineData("""{"response":{"more":false,"order_list":[{"order_status":"X"}]}}""")]
    [InlineData("""{"response":{"more":false,"order_list":null}}""")]
    public void Read_ResponseMissingOrIncomplete_IsTransientBadResponse(string body)
    {
        var failure = Assert.Throws<PlatformException>(() => ReadList(200, body));

        Assert.Equal("bad_response", failure.Code);
    }

    [Fact]
    public void Read_ErrorWithPartialResponse_ReportsThePlatformsError()
    {
        var failure = Assert.Throws<PlatformException>(() => ReadList(200, """{"error":"error_param","message":"bad cursor","response":{}}"""));

        Assert.Equal(PlatformErrorKind.Permanent, failure.Kind);
        Assert.Equal("error_param", failure.Code);
        Assert.Contains("bad cursor", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ErrorMessageEchoingASecret_MasksIt()
    {
        var failure = Assert.Throws<PlatformException>(() => ReadList(403, """{"error":"error_auth","message":"token token-secret is invalid"}"""));

        Assert.DoesNotContain("token-secret", failure.Message, StringComparison.Ordinal);
        Assert.Contains("***", failure.Message, StringComparison.Ordinal);
    }
}
