using System.Text;
using System.Text.Json;
using Backfill.Core.Data;
using Backfill.Simulators;

namespace Backfill.Platforms.Shopee.Tests;

/// <summary>Pages of whole records, every dataset's, from the adapter against the simulator over HTTP.</summary>
[Trait("Category", "Integration")]
public sealed class ShopeeRecordPagesTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private PlatformSimulator _sim = null!;
    private DateTimeOffset _day;
    private DateTimeOffset _busyDay;

    public async Task InitializeAsync()
    {
        _sim = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions());
        _day = CatalogDays.FirstDayWith(_sim, PlatformHarness.ShopId, n => n is >= 20 and <= 50);
        _busyDay = CatalogDays.FirstDayWith(_sim, PlatformHarness.ShopId, n => n > 200);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sim.DisposeAsync();
    }

    private static PageRequest Page(DateTimeOffset from, DateTimeOffset to, Datasets data, SlicePhase phase = SlicePhase.List) =>
        new(PlatformHarness.ShopId, from, to, new SliceCursor(phase, null)) { Data = data };

    private SimulatorExpectation Expected(DateTimeOffset from, DateTimeOffset to, Datasets dataset, string timeField = TimeFields.CreateTime) =>
        _sim.Expected(PlatformHarness.ShopId, from, to, dataset, timeField);

    private static JsonElement Json(PlatformRecord record) => JsonElement.Parse(record.Json.Span);

    private List<SimulatorCall> CallsTo(string path) => [.. _sim.Calls.Snapshot().Where(c => c.Path == path)];

    [Fact]
    public async Task OrdersPage_EachRecordIsItsElementOfTheDetailAnswer_ByteForByte()
    {
        using var harness = PlatformHarness.Create(_sim);

        var page = await harness.Source.FetchAsync(Page(_day, _day.AddDays(1), Datasets.Orders), CancellationToken.None);

        var sns = page.Records.Select(r => r.Id).ToList();
        using var answer = await _http.GetAsync(SignedCalls.Build(_sim.BaseUrl, ShopeePaths.OrderDetail, $"order_sn_list={string.Join(',', sns)}&response_optional_fields={ShopeeOrderFields.All}"));
        using var sent = JsonDocument.Parse(await answer.Content.ReadAsStringAsync());
        var elements = sent.RootElement.GetProperty("response").GetProperty("order_list").EnumerateArray().ToList();
        Assert.Equal(Expected(_day, _day.AddDays(1), Datasets.Orders).Ids, sns);
        Assert.False(page.More);
        Assert.Equal(elements.Count, page.Records.Count);
        for (var i = 0; i < elements.Count; i++)
        {
            Assert.Equal(Encoding.UTF8.GetBytes(elements[i].GetRawText()), page.Records[i].Json.ToArray());
        }

        Assert.All(page.Records, r =>
        {
            Assert.Equal(Datasets.Orders, r.Dataset);
            var json = Json(r);
            Assert.NotEmpty(json.GetProperty("item_list").EnumerateArray());
            Assert.Equal(JsonValueKind.Object, json.GetProperty("recipient_address").ValueKind);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(json.GetProperty("create_time").GetInt64()), r.CreateTime);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(json.GetProperty("update_time").GetInt64()), r.UpdateTime);
        });

        // Text outside ASCII travels as the platform wrote it, not escaped by a re-serialization.
        Assert.Contains(page.Records, r => Encoding.UTF8.GetString(r.Json.Span).Any(c => c > 127));
        Assert.Equal(new Dictionary<Datasets, int> { [Datasets.Orders] = 2 }, page.CallsByData);
    }

    [Fact]
    public async Task OrdersAndFinance_FullPage_OneEscrowCallPerListedOrder_TimesFromTheDetail()
    {
        using var harness = PlatformHarness.Create(_sim);

        var page = await harness.Source.FetchAsync(Page(_busyDay, _busyDay.AddDays(1), Datasets.Orders | Datasets.Finance), CancellationToken.None);

        var orders = page.Records.Where(r => r.Dataset == Datasets.Orders).ToList();
        var finance = page.Records.Where(r => r.Dataset == Datasets.Finance).ToList();
        Assert.Equal(100, orders.Count);
        Assert.Equal(orders.Select(o => o.Id), finance.Select(f => f.Id));
        Assert.Equal(orders.Select(o => (o.CreateTime, o.UpdateTime)), finance.Select(f => (f.CreateTime, f.UpdateTime)));
        Assert.All(finance, f => Assert.Equal(f.Id, Json(f).GetProperty("order_sn").GetString()));
        Assert.All(finance, f => Assert.Equal(JsonValueKind.Number, Json(f).GetProperty("order_income").GetProperty("escrow_amount").ValueKind));
        Assert.Equal(orders.Select(o => o.Id).Order(StringComparer.Ordinal), CallsTo(ShopeePaths.EscrowDetail).Select(c => c.Request).Order(StringComparer.Ordinal));
        Assert.Equal(new Dictionary<Datasets, int> { [Datasets.Orders] = 3, [Datasets.Finance] = 100 }, page.CallsByData);
        Assert.Equal(103, page.Calls);
        Assert.Equal(103, harness.Stats.Calls);
    }

    [Fact]
    public async Task FinanceOnly_ListCallsCountAsFinance_NoDetailCalls_NoTimes()
    {
        using var harness = PlatformHarness.Create(_sim);
        var expected = Expected(_day, _day.AddDays(1), Datasets.Finance);

        var page = await harness.Source.FetchAsync(Page(_day, _day.AddDays(1), Datasets.Finance), CancellationToken.None);

        Assert.All(page.Records, r => Assert.Equal((Datasets.Finance, null, null), (r.Dataset, r.CreateTime, r.UpdateTime)));
        Assert.Equal(expected.Ids, page.Records.Select(r => r.Id));
        Assert.Equal(expected.Checksum, page.Records.Sum(r => Json(r).GetProperty("order_income").GetProperty("escrow_amount").GetDecimal()));
        Assert.Empty(CallsTo(ShopeePaths.OrderDetail));
        Assert.Equal(new Dictionary<Datasets, int> { [Datasets.Finance] = 1 + expected.Ids.Count }, page.CallsByData);
    }

    [Fact]
    public async Task ReturnsPhase_PagesByNumberUntilNoMore_ExactlyTheSimulatorsReturns()
    {
        using var harness = PlatformHarness.Create(_sim, c => c[PlatformHarness.Key("PageSize")] = "4");
        var (from, to) = (_day, _day.AddDays(15));
        var expected = Expected(from, to, Datasets.Returns);

        var first = await harness.Source.FetchAsync(Page(from, to, Datasets.Returns, SlicePhase.Returns), CancellationToken.None);
        var (records, calls) = await harness.FetchPhaseAsync(Page(from, to, Datasets.Returns, SlicePhase.Returns));

        Assert.True(expected.Count > 4, $"{expected.Count} returns in 15 days");
        Assert.Equal((true, "1"), (first.More, first.NextPage));
        Assert.Equal(expected.Ids, records.Select(r => r.Id));
        Assert.Equal(expected.Checksum, records.Sum(r => Json(r).GetProperty("refund_amount").GetDecimal()));
        Assert.All(records, r => Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(Json(r).GetProperty("create_time").GetInt64()), r.CreateTime));
        var pages = (int)Math.Ceiling(expected.Count / 4.0) + (expected.Count % 4 == 0 ? 1 : 0);
        Assert.Equal(new Dictionary<Datasets, int> { [Datasets.Returns] = pages }, calls);
        Assert.Equal(Enumerable.Range(0, pages).Select(p => $"/{p}"), CallsTo(ShopeePaths.ReturnList).Skip(1).Select(c => c.Request[c.Request.IndexOf('/', StringComparison.Ordinal)..]));
    }

    [Fact]
    public async Task ReturnsPhase_RangeOverFifteenDays_IsRefusedWithoutACall()
    {
        using var harness = PlatformHarness.Create(_sim);

        var failure = await Assert.ThrowsAsync<PlatformException>(() =>
            harness.Source.FetchAsync(Page(_day, _day.AddDays(16), Datasets.Returns, SlicePhase.Returns), CancellationToken.None));

        Assert.Equal((PlatformErrorKind.Permanent, "range_too_long"), (failure.Kind, failure.Code));
        Assert.Empty(_sim.Calls.Snapshot());
    }

    [Fact]
    public async Task ReturnsPhase_CursorThatIsNoPageNumber_IsRefusedWithoutACall()
    {
        using var harness = PlatformHarness.Create(_sim);

        var failure = await Assert.ThrowsAsync<PlatformException>(() =>
            harness.Source.FetchAsync(Page(_day, _day.AddDays(1), Datasets.Returns) with { Cursor = new SliceCursor(SlicePhase.Returns, "abc") }, CancellationToken.None));

        Assert.Equal((PlatformErrorKind.Permanent, "invalid_cursor"), (failure.Kind, failure.Code));
        Assert.Empty(_sim.Calls.Snapshot());
    }

    [Fact]
    public async Task TimeField_OfTheRequest_OverridesThePlatforms()
    {
        using var harness = PlatformHarness.Create(_sim);
        var (from, to) = (_day, _day.AddDays(2));

        var (byUpdate, _) = await harness.FetchPhaseAsync(Page(from, to, Datasets.Orders) with { TimeField = TimeFields.UpdateTime });
        var (byDefault, _) = await harness.FetchPhaseAsync(Page(from, to, Datasets.Orders));

        Assert.Equal(TimeFields.CreateTime, harness.Source.TimeField);
        Assert.Equal(Expected(from, to, Datasets.Orders, TimeFields.UpdateTime).Ids.Order(StringComparer.Ordinal), byUpdate.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(Expected(from, to, Datasets.Orders).Ids, byDefault.Select(r => r.Id));
        Assert.NotEqual(byDefault.Select(r => r.Id).Order(StringComparer.Ordinal), byUpdate.Select(r => r.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WholeSlice_EveryDataset_MatchesTheSimulatorsCountsIdsAndChecksums()
    {
        using var harness = PlatformHarness.Create(_sim, c => c[PlatformHarness.Key("PageSize")] = "10");
        var (from, to) = (_day, _day.AddDays(1));
        var data = Datasets.Orders | Datasets.Finance | Datasets.Returns;

        var (list, listCalls) = await harness.FetchPhaseAsync(Page(from, to, data));
        var (returns, returnCalls) = await harness.FetchPhaseAsync(Page(from, to, data, SlicePhase.Returns));
        var records = list.Concat(returns).ToList();

        decimal Sum(Datasets dataset, Func<JsonElement, decimal> field) => records.Where(r => r.Dataset == dataset).Sum(r => field(Json(r)));
        foreach (var dataset in DatasetNames.All)
        {
            var expected = Expected(from, to, dataset);
            Assert.Equal(expected.Ids, records.Where(r => r.Dataset == dataset).Select(r => r.Id));
        }

        Assert.Equal(Expected(from, to, Datasets.Orders).Checksum, Sum(Datasets.Orders, o => o.GetProperty("item_list").EnumerateArray().Sum(i => i.GetProperty("model_quantity_purchased").GetDecimal())));
        Assert.Equal(Expected(from, to, Datasets.Finance).Checksum, Sum(Datasets.Finance, f => f.GetProperty("order_income").GetProperty("escrow_amount").GetDecimal()));
        Assert.Equal(Expected(from, to, Datasets.Returns).Checksum, Sum(Datasets.Returns, r => r.GetProperty("refund_amount").GetDecimal()));
        var orders = Expected(from, to, Datasets.Orders).Count;
        var listPages = (int)Math.Ceiling(orders / 10.0);
        Assert.Equal(listPages * 2, listCalls[Datasets.Orders]);
        Assert.Equal(orders, listCalls[Datasets.Finance]);
        Assert.Equal(Math.Max(1, (int)Math.Ceiling(Expected(from, to, Datasets.Returns).Count / 10.0)), returnCalls[Datasets.Returns]);
    }
}
