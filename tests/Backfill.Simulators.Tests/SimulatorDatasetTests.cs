using System.Globalization;
using System.Text.Json;
using Backfill.Core.Data;
using Backfill.Platforms.Shopee;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Simulators.Tests;

/// <summary>The simulator's whole orders, escrow details and returns, called by hand over HTTP.</summary>
[Trait("Category", "Integration")]
public sealed class SimulatorDatasetTests : IAsyncLifetime
{
    private static readonly string[] BaseFields =
        ["order_sn", "region", "currency", "cod", "order_status", "create_time", "update_time", "days_to_ship", "ship_by_date"];

    private static readonly string[] ItemFields =
        ["item_id", "item_name", "item_sku", "model_id", "model_name", "model_sku", "model_quantity_purchased", "model_original_price", "model_discounted_price"];

    private readonly HttpClient _http = new();
    private PlatformSimulator _sim = null!;
    private DateTimeOffset _day;

    public async Task InitializeAsync()
    {
        _sim = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions());
        _day = CatalogDays.FirstDayWith(_sim, PlatformHarness.ShopId, n => n is >= 20 and <= 50);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sim.DisposeAsync();
    }

    private Task<(int Status, JsonElement Body)> GetAsync(string path, string query, string token = PlatformHarness.Token, string partnerKey = PlatformHarness.PartnerKey) =>
        SignedCalls.GetAsync(_http, SignedCalls.Build(_sim.BaseUrl, path, query, token: token, partnerKey: partnerKey));

    private async Task<JsonElement> DetailAsync(IEnumerable<string> orderSns, string? optional)
    {
        var query = "order_sn_list=" + string.Join(',', orderSns) + (optional is null ? "" : "&response_optional_fields=" + Uri.EscapeDataString(optional));
        var (status, body) = await GetAsync(ShopeePaths.OrderDetail, query);
        Assert.Equal(200, status);
        return body.GetProperty("response").GetProperty("order_list");
    }

    private static string ReturnQuery(DateTimeOffset from, DateTimeOffset to, int pageNo, int pageSize = 100) => string.Create(
        CultureInfo.InvariantCulture, $"page_no={pageNo}&page_size={pageSize}&create_time_from={from.ToUnixTimeSeconds()}&create_time_to={to.ToUnixTimeSeconds() - 1}");

    private IReadOnlyList<string> OrdersOfTheDay() => _sim.Expected(PlatformHarness.ShopId, _day, _day.AddDays(1), Datasets.Orders, TimeFields.CreateTime).Ids;

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    [Fact]
    public async Task Detail_NoOptionalFields_ReturnsTheBaseFieldsOnly()
    {
        var orders = await DetailAsync(OrdersOfTheDay().Take(3), optional: null);

        Assert.Equal(3, orders.GetArrayLength());
        Assert.All(orders.EnumerateArray(), o => Assert.Equal(BaseFields, Names(o)));
    }

    [Fact]
    public async Task Detail_SomeOptionalFields_AddsExactlyThose()
    {
        var orders = await DetailAsync(OrdersOfTheDay().Take(2), "buyer_username,item_list");

        Assert.All(orders.EnumerateArray(), o => Assert.Equal([.. BaseFields, "buyer_username", "item_list"], Names(o)));
    }

    [Fact]
    public async Task Detail_EveryOptionalField_ReturnsTheWholeOrder()
    {
        var orders = await DetailAsync(OrdersOfTheDay().Take(5), ShopeeOrderFields.All);

        Assert.All(orders.EnumerateArray(), o =>
        {
            Assert.Equal([.. BaseFields, .. ShopeeOrderFields.Optional], Names(o));
            Assert.Equal(["name", "phone", "town", "district", "city", "state", "region", "zipcode", "full_address"], Names(o.GetProperty("recipient_address")));
            var items = o.GetProperty("item_list");
            Assert.InRange(items.GetArrayLength(), 1, 4);
            Assert.All(items.EnumerateArray(), i =>
            {
                Assert.Equal(ItemFields, Names(i));
                Assert.InRange(i.GetProperty("model_quantity_purchased").GetInt32(), 1, 5);
            });
        });
    }

    [Fact]
    public async Task Detail_SameOrderFromTwoSimulatorsOfOneSeed_IsTheSameRecord()
    {
        await using var other = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions());
        var sns = OrdersOfTheDay().Take(4).ToList();

        var first = await DetailAsync(sns, ShopeeOrderFields.All);
        var (_, second) = await SignedCalls.GetAsync(_http, SignedCalls.Build(other.BaseUrl, ShopeePaths.OrderDetail, "order_sn_list=" + string.Join(',', sns) + "&response_optional_fields=" + ShopeeOrderFields.All));

        Assert.Equal(first.GetRawText(), second.GetProperty("response").GetProperty("order_list").GetRawText());
    }

    [Fact]
    public async Task Escrow_OfAnOrder_ReturnsItsIncome()
    {
        var sn = OrdersOfTheDay()[0];

        var (status, body) = await GetAsync(ShopeePaths.EscrowDetail, "order_sn=" + sn);

        Assert.Equal(200, status);
        var response = body.GetProperty("response");
        Assert.Equal(["order_sn", "buyer_user_name", "return_order_sn_list", "order_income"], Names(response));
        Assert.Equal(sn, response.GetProperty("order_sn").GetString());
        Assert.Equal(
            ["escrow_amount", "buyer_total_amount", "original_price", "seller_discount", "shopee_discount", "commission_fee", "service_fee", "actual_shipping_fee", "seller_return_refund"],
            Names(response.GetProperty("order_income")));
    }

    [Theory]
    [InlineData("order_sn=240301ZZZZZZZZ")]
    [InlineData("order_sn=")]
    [InlineData("")]
    public async Task Escrow_OfNoOrderOfTheShop_IsErrorParam(string query)
    {
        var (status, body) = await GetAsync(ShopeePaths.EscrowDetail, query);

        Assert.Equal(400, status);
        Assert.Equal("error_param", body.Error());
    }

    [Fact]
    public async Task Returns_PagedUntilNoMore_AreExactlyTheExpectedOnes_CreatedDaysAfterTheirOrders()
    {
        var (from, to) = (_day, _day.AddDays(15));
        var expected = _sim.Expected(PlatformHarness.ShopId, from, to, Datasets.Returns, TimeFields.CreateTime);
        var seen = new List<JsonElement>();
        var more = true;
        for (var pageNo = 0; more; pageNo++)
        {
            var (status, body) = await GetAsync(ShopeePaths.ReturnList, ReturnQuery(from, to, pageNo, pageSize: 3));
            Assert.Equal(200, status);
            var response = body.GetProperty("response");
            more = response.GetProperty("more").GetBoolean();
            seen.AddRange(response.GetProperty("return").EnumerateArray());
            Assert.True(pageNo < 100);
        }

        Assert.NotEmpty(expected.Ids);
        Assert.Equal(expected.Ids, seen.Select(r => r.GetProperty("return_sn").GetString()));
        Assert.Equal(expected.Checksum, seen.Sum(r => r.GetProperty("refund_amount").GetDecimal()));
        Assert.All(seen, r =>
        {
            Assert.Equal(["return_sn", "order_sn", "status", "create_time", "update_time", "refund_amount", "currency", "reason", "item"], Names(r));
            var created = DateTimeOffset.FromUnixTimeSeconds(r.GetProperty("create_time").GetInt64());
            var orderDay = DateTimeOffset.ParseExact(r.GetProperty("order_sn").GetString()![..6], "yyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            Assert.InRange(created - orderDay, TimeSpan.FromDays(1), TimeSpan.FromDays(6));
            Assert.All(r.GetProperty("item").EnumerateArray(), i => Assert.Equal(["item_id", "model_id", "amount"], Names(i)));
        });
    }

    [Fact]
    public void Returns_AreAboutOneOrderInTwenty()
    {
        var (from, to) = (_day.AddDays(-60), _day);
        var orders = _sim.ExpectedOrders(PlatformHarness.ShopId, from, to);
        var returns = _sim.Expected(PlatformHarness.ShopId, from, to, Datasets.Returns, TimeFields.CreateTime).Count;

        Assert.InRange(returns / (double)orders, 0.03, 0.07);
    }

    [Theory]
    [InlineData(15 * 86_400 + 2, 0, 100)]
    [InlineData(86_400, 0, 0)]
    [InlineData(86_400, 0, 101)]
    [InlineData(86_400, -1, 100)]
    public async Task Returns_RangeOverFifteenDaysOrBadPaging_IsErrorParam(long seconds, int pageNo, int pageSize)
    {
        var (status, body) = await GetAsync(ShopeePaths.ReturnList, ReturnQuery(_day, _day.AddSeconds(seconds), pageNo, pageSize));

        Assert.Equal(400, status);
        Assert.Equal("error_param", body.Error());
    }

    [Theory]
    [InlineData(ShopeePaths.EscrowDetail)]
    [InlineData(ShopeePaths.ReturnList)]
    public async Task NewEndpoints_CheckSignatureAndToken_LikeTheOrderEndpoints(string path)
    {
        var query = path == ShopeePaths.EscrowDetail ? "order_sn=" + OrdersOfTheDay()[0] : ReturnQuery(_day, _day.AddDays(1), 0);

        var (unsignedStatus, unsigned) = await SignedCalls.GetAsync(_http, new Uri(_sim.BaseUrl, path + "?" + query));
        var (wrongKeyStatus, wrongKey) = await GetAsync(path, query, partnerKey: "not-the-key");
        var (unknownTokenStatus, unknownToken) = await GetAsync(path, query, token: "not-the-token");
        var (okStatus, _) = await GetAsync(path, query);

        Assert.Equal((400, "error_param"), (unsignedStatus, unsigned.Error()));
        Assert.Equal((403, "error_sign"), (wrongKeyStatus, wrongKey.Error()));
        Assert.Equal((403, "error_auth"), (unknownTokenStatus, unknownToken.Error()));
        Assert.Equal(200, okStatus);
        var logged = _sim.Calls.Snapshot().Where(c => c.Path == path).ToList();
        Assert.Equal(["error", "error", "error", "ok"], logged.Select(c => c.Outcome));
        Assert.All(logged, c => Assert.DoesNotContain("not-the-token", c.Request, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ShopeePaths.EscrowDetail)]
    [InlineData(ShopeePaths.ReturnList)]
    public async Task NewEndpoints_AreRateLimitedAndFaultInjectable(string path)
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var limited = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions(permitsPerSecond: 2), time);
        var query = path == ShopeePaths.EscrowDetail ? "order_sn=" + OrdersOfTheDay()[0] : ReturnQuery(_day, _day.AddDays(1), 0);
        Uri Call() => SignedCalls.Build(limited.BaseUrl, path, query, timestamp: time.GetUtcNow().ToUnixTimeSeconds());

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await SignedCalls.GetAsync(_http, Call())).Status);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        limited.Switches.InjectBurst(SimulatorFault.ServerError, 1);
        using var faulted = await _http.GetAsync(Call());
        statuses.Add((int)faulted.StatusCode);

        Assert.Equal([200, 200, 429, 503], statuses);
        Assert.Equal(["ok", "ok", "refused", nameof(SimulatorFault.ServerError)], limited.Calls.Snapshot().Select(c => c.Outcome));
        Assert.All(limited.Calls.Snapshot(), c => Assert.Equal(path, c.Path));
    }

    [Fact]
    public async Task Expected_Checksums_AreTheSumsOverTheRecordsTheSimulatorServes()
    {
        var (from, to) = (_day, _day.AddDays(1));
        var orders = _sim.Expected(PlatformHarness.ShopId, from, to, Datasets.Orders, TimeFields.CreateTime);
        var finance = _sim.Expected(PlatformHarness.ShopId, from, to, Datasets.Finance, TimeFields.CreateTime);

        var details = await DetailAsync(orders.Ids, ShopeeOrderFields.All);
        var escrow = 0m;
        foreach (var sn in finance.Ids)
        {
            var (_, body) = await GetAsync(ShopeePaths.EscrowDetail, "order_sn=" + sn);
            escrow += body.GetProperty("response").GetProperty("order_income").GetProperty("escrow_amount").GetDecimal();
        }

        Assert.Equal(_sim.ExpectedOrders(PlatformHarness.ShopId, from, to), orders.Count);
        Assert.Equal(orders.Ids, finance.Ids);
        Assert.Equal(orders.Ids, details.EnumerateArray().Select(o => o.GetProperty("order_sn").GetString()));
        Assert.Equal(orders.Checksum, details.EnumerateArray().SelectMany(o => o.GetProperty("item_list").EnumerateArray()).Sum(i => i.GetProperty("model_quantity_purchased").GetDecimal()));
        Assert.Equal(finance.Checksum, escrow);
        Assert.True(orders.Checksum >= orders.Count);
    }

    [Fact]
    public void Expected_ByUpdateTime_SelectsOrdersByTheirUpdate()
    {
        var (from, to) = (_day, _day.AddDays(2));

        var byUpdate = _sim.Expected(PlatformHarness.ShopId, from, to, Datasets.Finance, TimeFields.UpdateTime);

        Assert.Equal(_sim.ExpectedOrders(PlatformHarness.ShopId, from, to, TimeFields.UpdateTime), byUpdate.Count);
        Assert.NotEqual(_sim.Expected(PlatformHarness.ShopId, from, to, Datasets.Finance, TimeFields.CreateTime).Ids, byUpdate.Ids);
    }
}
