using System.Text;
using System.Text.Json;

namespace Backfill.Platforms.Lazada.Tests;

public sealed class LazadaResponsesTests
{
    private static PlatformAnswer Answer(string body, int status = 200, params string?[] secrets) => new("lzd", status, null, body, secrets);

    [Fact]
    public void Orders_AnIdAbove2To53_KeepsItsExactDigits()
    {
        // 2^53 + 1: a double would read it as 9007199254740992.
        const string Body = """{"code":"0","data":{"count":1,"countTotal":1,"orders":[{"order_id":9007199254740993,"created_at":"2026-08-01 10:12:13 +0800","updated_at":"2026-08-02 09:00:00 +0800"}]},"request_id":"r1"}""";

        var list = LazadaResponses.Read(Answer(Body), root => LazadaResponses.Orders(root, "created_at"));

        var order = Assert.Single(list.Orders);
        Assert.Equal("9007199254740993", order.Id);
        Assert.Equal(1L, list.CountTotal);
        Assert.Equal(new DateTimeOffset(2026, 8, 1, 10, 12, 13, TimeSpan.FromHours(8)).ToUnixTimeSeconds(), order.SortSecond);
        Assert.Equal(new DateTimeOffset(2026, 8, 2, 9, 0, 0, TimeSpan.FromHours(8)), order.UpdateTime);
    }

    [Fact]
    public void Orders_AnIdAsAString_IsTakenAsItsDigits()
    {
        const string Body = """{"code":"0","data":{"orders":[{"order_id":"18446744073709551615","created_at":"2026-08-01 10:12:13 +0800"}]}}""";

        Assert.Equal("18446744073709551615", LazadaResponses.Read(Answer(Body), root => LazadaResponses.Orders(root, "created_at")).Orders[0].Id);
    }

    [Theory]
    [InlineData("""{"code":"0","data":{"orders":[{"order_id":1.5e3,"created_at":"2026-08-01 10:12:13 +0800"}]}}""")]
    [InlineData("""{"code":"0","data":{"orders":[{"order_id":-4,"created_at":"2026-08-01 10:12:13 +0800"}]}}""")]
    [InlineData("""{"code":"0","data":{"orders":[{"order_id":4,"created_at":"yesterday"}]}}""")]
    [InlineData("""{"code":"0","data":{"orders":{}}}""")]
    [InlineData("""{"code":"0","data":{"countTotal":5}}""")]
    [InlineData("""{"code":"0"}""")]
    public void Orders_NotWhatTheListPromises_IsATransientBadResponse(string body)
    {
        var failure = Assert.Throws<PlatformException>(() => LazadaResponses.Read(Answer(body), root => LazadaResponses.Orders(root, "created_at")));

        Assert.Equal((PlatformErrorKind.Transient, "bad_response"), (failure.Kind, failure.Code));
    }

    [Fact]
    public void Orders_AnEmptyWindowWithoutAList_IsEmpty()
    {
        Assert.Empty(LazadaResponses.Read(Answer("""{"code":"0","data":{"count":0,"countTotal":0}}"""), root => LazadaResponses.Orders(root, "created_at")).Orders);
    }

    [Theory]
    [InlineData("<html>502 Bad Gateway</html>")]
    [InlineData("")]
    public void Read_ABodyThatIsNotJson_IsATransientBadResponse(string body)
    {
        var failure = Assert.Throws<PlatformException>(() => LazadaResponses.Read(Answer(body), LazadaResponses.Items));

        Assert.Equal((PlatformErrorKind.Transient, "bad_response"), (failure.Kind, failure.Code));
    }

    [Fact]
    public void Read_AnErrorEchoingASecret_NamesItMasked()
    {
        const string Body = """{"code":"IllegalAccessToken","type":"ISV","message":"token tok-secret is invalid","request_id":"r2"}""";

        var failure = Assert.Throws<PlatformException>(() => LazadaResponses.Read(Answer(Body, 200, "app-secret", "tok-secret"), LazadaResponses.Items));

        Assert.Equal(PlatformErrorKind.TokenExpired, failure.Kind);
        Assert.DoesNotContain("tok-secret", failure.ToString(), StringComparison.Ordinal);
        Assert.Contains("token *** is invalid", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Items_EachOrdersItemsByItsId()
    {
        const string Body = """{"code":"0","data":[{"order_id":9007199254740993,"order_number":"9007199254740993","order_items":[{"order_item_id":1,"name":"茶"}]},{"order_id":"7","order_items":[]}]}""";

        var items = LazadaResponses.Read(Answer(Body), LazadaResponses.Items);

        Assert.Equal("""[{"order_item_id":1,"name":"茶"}]""", Encoding.UTF8.GetString(items["9007199254740993"]));
        Assert.Equal("[]", Encoding.UTF8.GetString(items["7"]));
    }

    [Fact]
    public void WithItems_IsTheOrderAsListed_ItsItemsAddedLast()
    {
        var order = Encoding.UTF8.GetBytes("""{ "order_id": 9007199254740993, "price": "123.40", "name": "Nur \u00e9" , "x": 1.0 }""");

        var record = LazadaResponses.WithItems(order, Encoding.UTF8.GetBytes("""[{"sku":"A"}]"""))!;

        Assert.Equal("""{ "order_id": 9007199254740993, "price": "123.40", "name": "Nur \u00e9" , "x": 1.0,"order_items":[{"sku":"A"}]}""", Encoding.UTF8.GetString(record));
        Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(record).RootElement.GetProperty("order_items").ValueKind);
    }

    [Fact]
    public void WithItems_AnEmptyOrder_TakesNoComma()
    {
        Assert.Equal("""{"order_items":[]}""", Encoding.UTF8.GetString(LazadaResponses.WithItems("{}"u8.ToArray(), "[]"u8.ToArray())!));
    }

    [Fact]
    public void WithItems_AnOrderThatHasItemsAlready_IsRefused()
    {
        Assert.Null(LazadaResponses.WithItems("""{"order_items":[]}"""u8.ToArray(), "[]"u8.ToArray()));
    }
}
