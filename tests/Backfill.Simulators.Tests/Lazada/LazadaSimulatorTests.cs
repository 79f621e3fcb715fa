using System.Globalization;
using System.Net;
using System.Text.Json;
using Backfill.Simulators.Lazada;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Simulators.Tests.Lazada;

[Trait("Category", "Integration")]
public sealed class LazadaSimulatorTests : IAsyncLifetime
{
    private static readonly TimeSpan Plus8 = TimeSpan.FromHours(8);
    private readonly HttpClient _http = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 9, 15, 10, 0, 0, Plus8));
    private readonly List<LazadaSimulator> _started = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http.Dispose();
        foreach (var simulator in _started)
        {
            await simulator.DisposeAsync();
        }
    }

    private async Task<(LazadaSimulator Simulator, LazadaCalls Calls)> StartAsync(Action<LazadaSimulatorOptions>? configure = null)
    {
        var options = LazadaCalls.Options();
        configure?.Invoke(options);
        var simulator = await LazadaSimulator.StartAsync(options, _time);
        _started.Add(simulator);
        return (simulator, new LazadaCalls(_http, simulator, _time));
    }

    private static DateTimeOffset BusyDay(LazadaSimulator simulator) =>
        Enumerable.Range(0, 60).Select(d => new DateOnly(2026, 8, 1).AddDays(d))
            .Where(day => simulator.OrdersOn(LazadaCalls.Seller, day) > 5_100)
            .Select(day => new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), Plus8))
            .First();

    [Fact]
    public async Task Address_Any_ListensOnEveryInterface_AndAnswersOnLoopback()
    {
        var (simulator, _) = await StartAsync(o => o.Address = IPAddress.Any);

        Assert.Equal("0.0.0.0", simulator.BaseUrl.Host);
        using var stats = await _http.GetAsync(new Uri($"http://127.0.0.1:{simulator.BaseUrl.Port}/sim/stats"));
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
    }

    [Fact]
    public async Task BaseUrl_EndsWithRest_SoAnApiNameAppendedIsItsAddress()
    {
        var (simulator, _) = await StartAsync();

        Assert.Equal("127.0.0.1", simulator.BaseUrl.Host);
        Assert.EndsWith("/rest/", simulator.BaseUrl.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal("/rest/orders/get", new Uri(simulator.BaseUrl, "orders/get").AbsolutePath);
    }

    [Fact]
    public async Task SignedPage_GivesTheSellersOrdersSortedWithCounts_IdsExactAsNumbersAndText()
    {
        var (simulator, calls) = await StartAsync();
        var day = BusyDay(simulator);

        var body = await calls.ListAsync(day, day.AddDays(1), offset: 200, limit: 100);

        Assert.Equal("0", body.Code());
        var data = body.GetProperty("data");
        Assert.Equal(100, data.GetProperty("count").GetInt32());
        Assert.Equal(simulator.Expected(LazadaCalls.Seller, day, day.AddDays(1)).Count, data.GetProperty("countTotal").GetInt64());
        var orders = data.GetProperty("orders").EnumerateArray().ToList();
        Assert.Equal(simulator.Expected(LazadaCalls.Seller, day, day.AddDays(1)).Ids.Skip(200).Take(100), orders.Select(o => o.GetProperty("order_number").GetString()));
        Assert.All(orders, o => Assert.Equal(o.GetProperty("order_number").GetString(), o.GetProperty("order_id").GetInt64().ToString(CultureInfo.InvariantCulture)));
        Assert.All(orders, o => Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0800$", o.GetProperty("created_at").GetString()));
        Assert.All(orders, o => Assert.Matches(@"^\d+\.\d\d$", o.GetProperty("price").GetString()));
        var created = orders.Select(o => LazadaCalls.ParseTime(o.GetProperty("created_at").GetString()!)).ToList();
        Assert.Equal(created.Order(), created);
    }

    [Fact]
    public async Task AnotherSellersToken_ReadsAnotherSellersOrders()
    {
        var (simulator, calls) = await StartAsync();
        var day = BusyDay(simulator);

        var mine = await calls.ListAsync(day, day.AddDays(1), limit: 5);
        var theirs = await calls.ListAsync(day, day.AddDays(1), limit: 5, token: LazadaCalls.OtherToken);

        Assert.NotEqual(mine.GetProperty("data").GetProperty("countTotal").GetInt64(), theirs.GetProperty("data").GetProperty("countTotal").GetInt64());
        Assert.Equal(simulator.Expected(LazadaCalls.OtherSeller, day, day.AddDays(1)).Count, theirs.GetProperty("data").GetProperty("countTotal").GetInt64());
    }

    [Fact]
    public async Task Unsigned_OrWrongSecret_IsIncompleteSignature()
    {
        var (simulator, calls) = await StartAsync();
        var parameters = new Dictionary<string, string> { ["created_after"] = "2026-08-01T00:00:00+08:00", ["created_before"] = "2026-08-02T00:00:00+08:00" };

        var unsigned = await calls.GetAsync("/orders/get", parameters, signed: false);
        var wrongSecret = await calls.GetAsync("/orders/get", parameters, secret: "not-the-secret");

        Assert.Equal(("IncompleteSignature", "ISV"), (unsigned.Code(), unsigned.GetProperty("type").GetString()));
        Assert.Equal("IncompleteSignature", wrongSecret.Code());
        Assert.Equal(2, simulator.Stats.Errors);
    }

    [Fact]
    public async Task TimestampMoreThan7200SecondsOff_IsInvalidTimestamp()
    {
        var (_, calls) = await StartAsync();
        var parameters = new Dictionary<string, string> { ["created_after"] = "2026-08-01T00:00:00+08:00" };

        var stale = await calls.GetAsync("/orders/get", parameters, timestamp: _time.GetUtcNow().AddSeconds(-7_201).ToUnixTimeMilliseconds());
        var inSeconds = await calls.GetAsync("/orders/get", parameters, timestamp: _time.GetUtcNow().ToUnixTimeSeconds());
        var fresh = await calls.GetAsync("/orders/get", parameters, timestamp: _time.GetUtcNow().AddSeconds(-7_199).ToUnixTimeMilliseconds());

        Assert.Equal(["InvalidTimestamp", "InvalidTimestamp", "0"], [stale.Code(), inSeconds.Code(), fresh.Code()]);
    }

    [Fact]
    public async Task OffsetPastTheCap_IsInvalidParameter()
    {
        var (simulator, calls) = await StartAsync();
        var day = BusyDay(simulator);

        var atCap = await calls.ListAsync(day, day.AddDays(1), offset: 5_000);
        var pastCap = await calls.ListAsync(day, day.AddDays(1), offset: 5_001);

        Assert.Equal("0", atCap.Code());
        Assert.Equal("InvalidParameter", pastCap.Code());
        Assert.Contains("offset", pastCap.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DayOfMoreThan5100Orders_ReadByContinuingFromTheLastCreatedAt_GivesExactlyExpected()
    {
        var (simulator, calls) = await StartAsync();
        var from = BusyDay(simulator);
        var to = from.AddDays(1);
        var expected = simulator.Expected(LazadaCalls.Seller, from, to);
        var ids = new List<string>();
        var seen = new HashSet<string>();
        var after = from;
        var offset = 0;
        var repeats = 0;
        while (true)
        {
            var data = (await calls.ListAsync(after, to, offset, 100)).GetProperty("data");
            var orders = data.GetProperty("orders").EnumerateArray().ToList();
            foreach (var order in orders)
            {
                var id = order.GetProperty("order_id").GetInt64().ToString(CultureInfo.InvariantCulture);
                if (seen.Add(id))
                {
                    ids.Add(id);
                }
                else
                {
                    repeats++;
                }
            }

            if (orders.Count < 100)
            {
                break;
            }

            offset += 100;
            if (offset > LazadaParams.MaxOffset)
            {
                after = LazadaCalls.ParseTime(orders[^1].GetProperty("created_at").GetString()!);
                offset = 0;
            }
        }

        var checksum = 0m;
        foreach (var batch in ids.Chunk(50))
        {
            var items = await calls.ItemsAsync(batch);
            Assert.Equal("0", items.Code());
            Assert.Equal(batch, items.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("order_number").GetString()));
            checksum += items.GetProperty("data").EnumerateArray().SelectMany(o => o.GetProperty("order_items").EnumerateArray()).Sum(i => i.GetProperty("item_price").GetDecimal());
        }

        Assert.True(expected.Count > 5_100);
        Assert.Equal(expected.Ids, ids);
        Assert.True(repeats > 0);
        Assert.Equal(expected.Checksum, checksum);
        Assert.Equal(0, simulator.Stats.Errors);
    }

    [Fact]
    public async Task Items_MoreThanFiftyIds_IsInvalidParameter_AndAnotherSellersIdsAreLeftOut()
    {
        var (simulator, calls) = await StartAsync();
        var day = BusyDay(simulator);
        var theirs = simulator.Expected(LazadaCalls.OtherSeller, day, day.AddDays(1)).Ids[0];
        var mine = simulator.Expected(LazadaCalls.Seller, day, day.AddDays(1)).Ids;

        var tooMany = await calls.ItemsAsync(mine.Take(51));
        var mixed = await calls.ItemsAsync([mine[0], theirs]);

        Assert.Equal("InvalidParameter", tooMany.Code());
        Assert.Equal([mine[0]], mixed.GetProperty("data").EnumerateArray().Select(o => o.GetProperty("order_number").GetString()));
    }

    [Fact]
    public async Task OverTheRate_IsApiCallLimit_NotCountedAsAccepted_AndAdmittedAgainAfterASecond()
    {
        var (simulator, calls) = await StartAsync(o => o.PermitsPerSecond = 2);
        var day = new DateTimeOffset(2026, 8, 1, 0, 0, 0, Plus8);

        var burst = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            burst.Add(await calls.ListAsync(day, day.AddDays(1), limit: 1));
        }

        _time.Advance(TimeSpan.FromSeconds(1));
        var later = await calls.ListAsync(day, day.AddDays(1), limit: 1);

        Assert.Equal(["0", "0", "ApiCallLimit"], burst.Select(b => b.Code()));
        Assert.Contains("ban will last 1 seconds", burst[2].GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("0", later.Code());
        Assert.Equal((3, 1, 0), (simulator.Stats.Accepted, simulator.Stats.Refused, simulator.Stats.QuotaRefused));
        Assert.Equal("refused", simulator.Calls.Snapshot()[2].Outcome);
        Assert.Equal(LazadaCalls.Seller, simulator.Calls.Snapshot()[2].Shop);
    }

    [Fact]
    public async Task SpentQuota_IsAppCallLimitNamingTheReset_UntilTheNextWindow()
    {
        var (simulator, calls) = await StartAsync(o => o.Quotas = [new LazadaQuota { Calls = 3, Period = TimeSpan.FromMinutes(1), ResetTimeZone = "Asia/Singapore" }]);
        var day = new DateTimeOffset(2026, 8, 1, 0, 0, 0, Plus8);
        _time.SetUtcNow(new DateTimeOffset(2026, 9, 15, 10, 0, 20, Plus8));

        var codes = new List<string>();
        JsonElement refusal = default;
        for (var i = 0; i < 5; i++)
        {
            var body = await calls.ListAsync(day, day.AddDays(1), limit: 1);
            codes.Add(body.Code());
            refusal = body;
        }

        var refusedRefresh = await calls.RefreshAsync();
        _time.SetUtcNow(new DateTimeOffset(2026, 9, 15, 10, 1, 0, Plus8));
        var afterReset = await calls.ListAsync(day, day.AddDays(1), limit: 1);

        Assert.Equal(["0", "0", "0", "AppCallLimit", "AppCallLimit"], codes);
        Assert.Equal("ISV", refusal.GetProperty("type").GetString());
        Assert.Contains("ban will last 40 seconds", refusal.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("until 2026-09-15T10:01:00+08:00", refusal.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("AppCallLimit", refusedRefresh.Code());
        Assert.Equal("0", afterReset.Code());
        Assert.Equal((4, 3, 0L), (simulator.Stats.Accepted, simulator.Stats.QuotaRefused, simulator.Stats.Refused));
        Assert.Equal(0, simulator.Stats.Refreshes);
    }

    [Fact]
    public async Task ExpiredToken_IsIllegalAccessToken_UntilRefreshed_AndTheRefreshTokenKeepsWorking()
    {
        var (simulator, calls) = await StartAsync(o => o.TokenTtl = TimeSpan.FromMinutes(10));
        var day = new DateTimeOffset(2026, 8, 1, 0, 0, 0, Plus8);

        var fresh = await calls.ListAsync(day, day.AddDays(1), limit: 1);
        _time.Advance(TimeSpan.FromMinutes(10));
        var expired = await calls.ListAsync(day, day.AddDays(1), limit: 1);
        var refreshed = await calls.RefreshAsync();
        var newToken = refreshed.GetProperty("access_token").GetString()!;
        var withNew = await calls.ListAsync(day, day.AddDays(1), limit: 1, token: newToken);
        var again = await calls.RefreshAsync();
        var wrong = await calls.RefreshAsync("not-a-refresh-token");

        Assert.Equal("0", fresh.Code());
        Assert.Equal("IllegalAccessToken", expired.Code());
        Assert.Equal("0", refreshed.Code());
        Assert.Equal(LazadaCalls.RefreshToken, refreshed.GetProperty("refresh_token").GetString());
        Assert.Equal(600, refreshed.GetProperty("expires_in").GetInt64());
        Assert.True(refreshed.GetProperty("refresh_expires_in").GetInt64() > 600);
        Assert.False(string.IsNullOrEmpty(refreshed.GetProperty("account").GetString()));
        Assert.Equal("sg", refreshed.GetProperty("country").GetString());
        Assert.Equal("0", withNew.Code());
        Assert.Equal("0", again.Code());
        Assert.NotEqual(newToken, again.GetProperty("access_token").GetString());
        Assert.Equal("IllegalRefreshToken", wrong.Code());
        Assert.Equal((1L, 2L, 1L), (simulator.Stats.ExpiredAnswers, simulator.Stats.Refreshes, simulator.Stats.RefusedRefreshes));
        Assert.Equal("expired", simulator.Calls.Snapshot()[1].Outcome);
    }

    [Fact]
    public async Task ExpireTokens_EndsTheIssuedTokensOfOneSellerOnly()
    {
        var (simulator, calls) = await StartAsync();
        var day = new DateTimeOffset(2026, 8, 1, 0, 0, 0, Plus8);

        simulator.ExpireTokens(LazadaCalls.Seller);
        var mine = await calls.ListAsync(day, day.AddDays(1), limit: 1);
        var theirs = await calls.ListAsync(day, day.AddDays(1), limit: 1, token: LazadaCalls.OtherToken);
        var unknown = await calls.ListAsync(day, day.AddDays(1), limit: 1, token: "nobody's");

        Assert.Equal(["IllegalAccessToken", "0", "IllegalAccessToken"], [mine.Code(), theirs.Code(), unknown.Code()]);
        Assert.Equal(1, simulator.Stats.ExpiredAnswers);
    }
}
