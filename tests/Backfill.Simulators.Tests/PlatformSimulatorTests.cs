using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Backfill.Platforms.Shopee;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Simulators.Tests;

[Trait("Category", "Integration")]
public sealed class PlatformSimulatorTests : IAsyncLifetime
{
    private readonly HttpClient _http = new();
    private PlatformSimulator _sim = null!;
    private DateTimeOffset _busyDay;

    public async Task InitializeAsync()
    {
        _sim = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions());
        _busyDay = CatalogDays.FirstDayWith(_sim, PlatformHarness.ShopId, n => n > 200);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _sim.DisposeAsync();
    }

    private Task<(int Status, JsonElement Body)> ListAsync(string query, string token = PlatformHarness.Token, string partnerKey = PlatformHarness.PartnerKey, long? timestamp = null) =>
        SignedCalls.GetAsync(_http, SignedCalls.Build(_sim.BaseUrl, ShopeePaths.OrderList, query, token: token, partnerKey: partnerKey, timestamp: timestamp));

    [Fact]
    public void BaseUrl_IsLoopbackWithAnEphemeralPort()
    {
        Assert.Equal("127.0.0.1", _sim.BaseUrl.Host);
        Assert.NotEqual(0, _sim.BaseUrl.Port);
    }

    [Fact]
    public async Task Address_Any_ListensOnEveryInterface_AndAnswersOnLoopback()
    {
        var options = PlatformHarness.SimulatorOptions();
        options.Address = IPAddress.Any;
        await using var open = await PlatformSimulator.StartAsync(options);

        Assert.Equal("0.0.0.0", open.BaseUrl.Host);
        using var stats = await _http.GetAsync(new Uri($"http://127.0.0.1:{open.BaseUrl.Port}/sim/stats"));
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
    }

    [Fact]
    public async Task OrderList_SignedCall_ReturnsAPageAndAStableCursor()
    {
        var query = SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1), pageSize: 10);

        var (status, body) = await ListAsync(query);
        var (_, again) = await ListAsync(query);

        Assert.Equal(200, status);
        Assert.Equal("", body.Error());
        var response = body.GetProperty("response");
        Assert.True(response.GetProperty("more").GetBoolean());
        Assert.Equal(10, response.GetProperty("order_list").GetArrayLength());
        Assert.NotEmpty(response.GetProperty("next_cursor").GetString()!);
        Assert.Equal(response.GetProperty("next_cursor").GetString(), again.GetProperty("response").GetProperty("next_cursor").GetString());
        Assert.NotEmpty(body.GetProperty("request_id").GetString()!);
    }

    [Fact]
    public async Task UnsignedCall_IsErrorParam()
    {
        var (status, body) = await SignedCalls.GetAsync(_http, new Uri(_sim.BaseUrl, ShopeePaths.OrderList + "?" + SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1))));

        Assert.Equal(400, status);
        Assert.Equal("error_param", body.Error());
    }

    [Fact]
    public async Task WrongKey_IsErrorSign()
    {
        var (status, body) = await ListAsync(SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1)), partnerKey: "not-the-key");

        Assert.Equal(403, status);
        Assert.Equal("error_sign", body.Error());
    }

    [Fact]
    public async Task TimestampMoreThanFiveMinutesOff_IsErrorParam()
    {
        var stale = TimeProvider.System.GetUtcNow().AddMinutes(-6).ToUnixTimeSeconds();

        var (_, body) = await ListAsync(SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1)), timestamp: stale);

        Assert.Equal("error_param", body.Error());
    }

    [Fact]
    public async Task UnknownToken_IsErrorAuth()
    {
        var (status, body) = await ListAsync(SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1)), token: "someone-elses-token");

        Assert.Equal(403, status);
        Assert.Equal("error_auth", body.Error());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task PageSizeOutsideOneToHundred_IsErrorParam(int pageSize)
    {
        var (_, body) = await ListAsync(SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1), pageSize));

        Assert.Equal("error_param", body.Error());
    }

    [Fact]
    public async Task RangeOverFifteenDays_IsErrorParam()
    {
        // time_to is sent as to − 1, so sixteen days is 15 days + 86,399 s.
        var (_, body) = await ListAsync(SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(16)));

        Assert.Equal("error_param", body.Error());
    }

    [Fact]
    public async Task ExactlyFifteenDays_IsAccepted()
    {
        var (_, body) = await ListAsync(SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(15).AddSeconds(1)));

        Assert.Equal("", body.Error());
    }

    [Fact]
    public async Task FromAfterTo_IsErrorParam()
    {
        var (_, body) = await ListAsync(SignedCalls.ListQuery(_busyDay.AddDays(1), _busyDay));

        Assert.Equal("error_param", body.Error());
    }

    [Fact]
    public async Task DetailOfMoreThanFiftyOrders_IsErrorParam()
    {
        var list = string.Join(',', Enumerable.Range(0, 51).Select(i => $"240301{i:D8}"));

        var (_, body) = await SignedCalls.GetAsync(_http, SignedCalls.Build(_sim.BaseUrl, ShopeePaths.OrderDetail, "order_sn_list=" + list));

        Assert.Equal("error_param", body.Error());
    }

    [Fact]
    public async Task Detail_OfListedOrders_ReturnsTheirFields()
    {
        var (_, page) = await ListAsync(SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1), pageSize: 3));
        var sns = page.GetProperty("response").GetProperty("order_list").EnumerateArray().Select(o => o.GetProperty("order_sn").GetString()).ToList();

        var (_, body) = await SignedCalls.GetAsync(_http, SignedCalls.Build(_sim.BaseUrl, ShopeePaths.OrderDetail, "order_sn_list=" + string.Join(',', sns)));

        var orders = body.GetProperty("response").GetProperty("order_list").EnumerateArray().ToList();
        Assert.Equal(sns, orders.Select(o => o.GetProperty("order_sn").GetString()));
        Assert.All(orders, o => Assert.Equal("TWD", o.GetProperty("currency").GetString()));
    }

    [Fact]
    public async Task ThrottleEverything_Answers429WithRetryAfter_AndCountsIt()
    {
        _sim.Switches.ThrottleEverything = true;

        using var response = await _http.GetAsync(SignedCalls.Build(_sim.BaseUrl, ShopeePaths.OrderList, SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1))));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        Assert.Equal("too_many_request", body.Error());
        Assert.Equal(1, _sim.Stats.ForcedThrottles);
        Assert.Equal(0, _sim.Stats.Accepted);
    }

    [Fact]
    public async Task TransientFailureRateOne_FailsEveryValidCall()
    {
        _sim.Switches.TransientFailureRate = 1;

        for (var i = 0; i < 6; i++)
        {
            using var response = await _http.GetAsync(SignedCalls.Build(_sim.BaseUrl, ShopeePaths.OrderList, SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1))));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable || text.Contains("error_server", StringComparison.Ordinal), text);
        }

        Assert.Equal(6, _sim.Stats.Errors);
    }

    [Fact]
    public async Task StatsEndpoint_ServesTheCounters()
    {
        await ListAsync(SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1)));

        var stats = await _http.GetFromJsonAsync<JsonElement>(new Uri(_sim.BaseUrl, "/sim/stats"));

        Assert.Equal(1, stats.GetProperty("accepted").GetInt64());
        Assert.Equal(0, stats.GetProperty("refused").GetInt64());
    }

    [Fact]
    public async Task ShopsStatsEndpoint_ServesEachShopsCallsAndSpan()
    {
        await ListAsync(SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1)));
        await ListAsync(SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1)));

        var shops = (await _http.GetFromJsonAsync<JsonElement>(new Uri(_sim.BaseUrl, "/sim/stats/shops"))).GetProperty("shops");

        var shop = Assert.Single(shops.EnumerateArray());
        Assert.Equal(("10001", 2), (shop.GetProperty("shop").GetString(), shop.GetProperty("accepted").GetInt64()));
        Assert.True(shop.GetProperty("lastAcceptedAt").GetDateTimeOffset() >= shop.GetProperty("firstAcceptedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task CallsAndSecondsEndpoints_ServeEveryCallAndTheAdmittedOnesBySecond_WithoutTheToken()
    {
        var query = SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1));
        await ListAsync(query);
        await ListAsync(query);

        var calls = await _http.GetStringAsync(new Uri(_sim.BaseUrl, "/sim/calls"));
        var seconds = await _http.GetFromJsonAsync<JsonElement>(new Uri(_sim.BaseUrl, "/sim/stats/seconds"));

        var logged = JsonDocument.Parse(calls).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, logged.Count);
        Assert.All(logged, c => Assert.Equal((ShopeePaths.OrderList, "10001", "ok"), (c.GetProperty("path").GetString(), c.GetProperty("shop").GetString(), c.GetProperty("outcome").GetString())));
        Assert.DoesNotContain(PlatformHarness.Token, calls, StringComparison.Ordinal);
        Assert.DoesNotContain("sign", calls, StringComparison.Ordinal);
        Assert.Equal(2, seconds.GetProperty("accepted").EnumerateArray().Sum(a => a.GetInt32()));
        Assert.Equal(0, seconds.GetProperty("refused").EnumerateArray().Sum(a => a.GetInt32()));
    }

    [Fact]
    public async Task CallsOverTheLimit_AreRefusedWith429_UntilTheWindowSlides()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        var options = PlatformHarness.SimulatorOptions(permitsPerSecond: 2);
        await using var limited = await PlatformSimulator.StartAsync(options, time);
        Uri Call() => SignedCalls.Build(limited.BaseUrl, ShopeePaths.OrderList, SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1)), timestamp: time.GetUtcNow().ToUnixTimeSeconds());

        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await SignedCalls.GetAsync(_http, Call())).Status);
        }

        time.Advance(TimeSpan.FromSeconds(1));
        statuses.Add((await SignedCalls.GetAsync(_http, Call())).Status);

        Assert.Equal([200, 200, 429, 429, 200], statuses);
        var start = time.GetUtcNow().AddSeconds(-1);
        Assert.Equal(new SimulatorStatsSnapshot(3, 2, 0, 0, 2, 4, start, start.AddSeconds(1)), limited.Stats.Snapshot());
    }

    [Fact]
    public async Task PeakArrivals_CountsRefusedAndForcedThrottles_InTheSlidingSecond()
    {
        var time = new FakeTimeProvider(TimeProvider.System.GetUtcNow());
        await using var limited = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions(permitsPerSecond: 1), time);
        Uri Call() => SignedCalls.Build(limited.BaseUrl, ShopeePaths.OrderList, SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1)), timestamp: time.GetUtcNow().ToUnixTimeSeconds());

        await SignedCalls.GetAsync(_http, Call());                  // t = 0: admitted
        time.Advance(TimeSpan.FromMilliseconds(300));
        await SignedCalls.GetAsync(_http, Call());                  // t = 0.3: refused
        limited.Switches.ThrottleEverything = true;
        await SignedCalls.GetAsync(_http, Call());                  // t = 0.3: forced throttle
        limited.Switches.ThrottleEverything = false;
        time.Advance(TimeSpan.FromMilliseconds(900));
        await SignedCalls.GetAsync(_http, Call());                  // t = 1.2: admitted; the window holds 0.3, 0.3, 1.2

        var stats = limited.Stats.Snapshot();
        Assert.Equal(3, stats.PeakArrivalsPerSecond);
        Assert.Equal(1, stats.PeakCallsPerSecond);
        Assert.Equal((2, 1, 1), (stats.Accepted, stats.Refused, stats.ForcedThrottles));
        Assert.Equal(TimeSpan.FromMilliseconds(1200), stats.LastAcceptedAt - stats.FirstAcceptedAt);
    }

    [Fact]
    public async Task StatsEndpoint_ServesPeakArrivals_AndTheAcceptedTimes()
    {
        var before = TimeProvider.System.GetUtcNow();
        await ListAsync(SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1)));
        await ListAsync(SignedCalls.ListQuery(_busyDay, _busyDay.AddDays(1)));

        var stats = await _http.GetFromJsonAsync<JsonElement>(new Uri(_sim.BaseUrl, "/sim/stats"));

        // Real time here: the two calls are one or two arrivals in a second, depending on how fast the machine is.
        Assert.InRange(stats.GetProperty("peakArrivalsPerSecond").GetInt32(), 1, 2);
        var first = stats.GetProperty("firstAcceptedAt").GetDateTimeOffset();
        var last = stats.GetProperty("lastAcceptedAt").GetDateTimeOffset();
        Assert.InRange(first, before, last);
        Assert.Equal(_sim.Stats.LastAcceptedAt, last);
    }

    [Fact]
    public async Task StartAsync_ListensOnTheConfiguredPort()
    {
        var port = FreePort();
        var options = PlatformHarness.SimulatorOptions();
        options.Port = port;

        await using var fixedPort = await PlatformSimulator.StartAsync(options);

        Assert.Equal(port, fixedPort.BaseUrl.Port);
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_Throws()
    {
        await Assert.ThrowsAnyAsync<ArgumentException>(() => PlatformSimulator.StartAsync(new SimulatorOptions { PermitsPerSecond = -1 }));
    }

    [Fact]
    public void ExpectedOrders_CountsOnlyTheHalfOpenRange()
    {
        var day = _sim.ExpectedOrders(PlatformHarness.ShopId, _busyDay, _busyDay.AddDays(1));
        var halves = _sim.ExpectedOrders(PlatformHarness.ShopId, _busyDay, _busyDay.AddHours(12))
            + _sim.ExpectedOrders(PlatformHarness.ShopId, _busyDay.AddHours(12), _busyDay.AddDays(1));

        Assert.InRange(day, 201, 320);
        Assert.Equal(day, halves);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
