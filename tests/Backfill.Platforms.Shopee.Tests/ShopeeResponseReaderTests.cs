
namespace Backfill.Platforms.Shopee.Tests;

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
    public void ReadRecords_OrderDetail_KeepsEachOrderAsTheBytesSent()
    {
        const string order = """{"order_sn":"A","order_status":"COMPLETED","create_time":1667260800, "update_time":1667347200,"total_amount":123.450,"note":"\u8acb 請","new_field":[1,2]}""";
        var orders = ShopeeResponseReader.ReadRecords("demo", 200, null, $$$"""{"error":"","response":{"order_list":[{{{order}}}]}}""", Secrets, ShopeeRecords.Orders);

        var read = Assert.Single(orders);
        Assert.Equal(("A", DateTimeOffset.FromUnixTimeSeconds(1667260800), DateTimeOffset.FromUnixTimeSeconds(1667347200)), (read.Id, read.CreateTime!.Value, read.UpdateTime!.Value));
        Assert.Equal(System.Text.Encoding.UTF8.GetBytes(order), read.Json);
    }

    [Theory]
    [InlineData("""{"error":"","response":{}}""")]
    [InlineData("""{"error":"","response":{"order_list":[{"order_status":"COMPLETED"}]}}""")]
    [InlineData("""{"error":"","response":{"order_list":{}}}""")]
    public void ReadRecords_OrderDetailOfAnotherShape_IsTransientBadResponse(string body)
    {
        var failure = Assert.Throws<PlatformException>(() => ShopeeResponseReader.ReadRecords("demo", 200, null, body, Secrets, ShopeeRecords.Orders));

        Assert.Equal((PlatformErrorKind.Transient, "bad_response"), (failure.Kind, failure.Code));
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
