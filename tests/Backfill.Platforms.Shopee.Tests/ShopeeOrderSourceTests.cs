using System.Text.Json;
using Backfill.Core.Data;
using Backfill.Simulators;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Shopee.Tests;

[Trait("Category", "Integration")]
public sealed class ShopeeOrderSourceTests : IAsyncLifetime
{
    private PlatformSimulator _sim = null!;
    private DateTimeOffset _busyDay;

    public async Task InitializeAsync()
    {
        _sim = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions());
        _busyDay = CatalogDays.FirstDayWith(_sim, PlatformHarness.ShopId, n => n > 200);
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private PageRequest BusyDay(string shopId = PlatformHarness.ShopId) => new(shopId, _busyDay, _busyDay.AddDays(1), PlatformHarness.OrdersFirstPage);

    [Fact]
    public async Task FetchPage_DayWithOver200Orders_PagesToExactlyTheExpectedUniqueOrders()
    {
        using var harness = PlatformHarness.Create(_sim);

        var orders = await harness.FetchAllAsync(PlatformHarness.ShopId, _busyDay, _busyDay.AddDays(1));

        var expected = _sim.ExpectedOrders(PlatformHarness.ShopId, _busyDay, _busyDay.AddDays(1));
        Assert.True(expected > 200);
        Assert.Equal(expected, orders.Count);
        Assert.Equal(orders.Count, orders.Select(o => o.Id).Distinct(StringComparer.Ordinal).Count());
        Assert.All(orders, o =>
        {
            Assert.Equal(Datasets.Orders, o.Dataset);
            Assert.InRange(o.CreateTime!.Value, _busyDay, _busyDay.AddDays(1).AddTicks(-1));
            Assert.True(o.UpdateTime >= o.CreateTime);
            var json = JsonElement.Parse(o.Json.Span);
            Assert.Equal(o.Id, json.GetProperty("order_sn").GetString());
            Assert.Equal("TWD", json.GetProperty("currency").GetString());
            Assert.NotEmpty(json.GetProperty("order_status").GetString()!);
        });
    }

    [Fact]
    public async Task FetchPage_ByUpdateTimeOverThreeDays_ReturnsExactlyTheExpectedOrders()
    {
        using var harness = PlatformHarness.Create(_sim, c => c[PlatformHarness.Key("TimeRangeField")] = "update_time");
        var to = _busyDay.AddDays(3);

        var orders = await harness.FetchAllAsync(PlatformHarness.ShopId, _busyDay, to);

        Assert.Equal(_sim.ExpectedOrders(PlatformHarness.ShopId, _busyDay, to, "update_time"), orders.Count);
        Assert.All(orders, o => Assert.InRange(o.UpdateTime!.Value, _busyDay, to.AddTicks(-1)));
    }

    [Fact]
    public async Task FetchPage_SmallPages_SplitDetailsAndStillReturnEveryOrder()
    {
        using var harness = PlatformHarness.Create(_sim, c => c[PlatformHarness.Key("PageSize")] = "30");

        var orders = await harness.FetchAllAsync(PlatformHarness.ShopId, _busyDay, _busyDay.AddDays(1));

        Assert.Equal(_sim.ExpectedOrders(PlatformHarness.ShopId, _busyDay, _busyDay.AddDays(1)), orders.Count);
    }

    [Fact]
    public async Task FetchPage_FullPage_CallsListOnceAndDetailsInBatchesOfFifty()
    {
        using var harness = PlatformHarness.Create(_sim);

        var page = await harness.Source.FetchAsync(BusyDay(), CancellationToken.None);

        Assert.Equal(100, page.Records.Count);
        Assert.True(page.More);
        Assert.False(string.IsNullOrEmpty(page.NextPage));
        Assert.Equal(3, harness.Stats.Calls);
        Assert.Equal(3, _sim.Stats.Accepted);
        Assert.Equal(3, page.Calls);
    }

    [Fact]
    public async Task FetchPage_EmptyDay_ReturnsNoOrdersAfterOneCall()
    {
        using var harness = PlatformHarness.Create(_sim);
        var empty = CatalogDays.FirstDayWith(_sim, PlatformHarness.ShopId, n => n == 0);

        var page = await harness.Source.FetchAsync(new PageRequest(PlatformHarness.ShopId, empty, empty.AddDays(1), PlatformHarness.OrdersFirstPage), CancellationToken.None);

        Assert.Empty(page.Records);
        Assert.False(page.More);
        Assert.Null(page.NextPage);
        Assert.Equal(1, harness.Stats.Calls);
    }

    [Fact]
    public async Task FetchPage_WrongPartnerKey_IsPermanentErrorSign_AndNamesNoSecret()
    {
        const string wrongKey = "wrong-partner-key-secret";
        using var harness = PlatformHarness.Create(_sim, c => c[PlatformHarness.Key("PartnerKey")] = wrongKey);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(BusyDay(), CancellationToken.None));

        Assert.Equal(PlatformErrorKind.Permanent, failure.Kind);
        Assert.Equal("error_sign", failure.Code);
        Assert.Equal(PlatformHarness.Platform, failure.Platform);
        var everything = failure.ToString();
        Assert.DoesNotContain(wrongKey, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(PlatformHarness.Token, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("sign=", everything, StringComparison.Ordinal);
        Assert.Equal(1, harness.Stats.Calls);
        Assert.Equal(1, harness.Stats.PermanentErrors);
    }

    [Fact]
    public async Task Logs_OfEveryKindOfFailure_NeverContainTheKeyTokenOrSignature()
    {
        var logs = new LogCapture();
        _sim.Switches.AuthFailShops.Add(PlatformHarness.OtherShopId);
        using (var wrongKey = PlatformHarness.Create(_sim, c => c[PlatformHarness.Key("PartnerKey")] = "wrong-partner-key-secret", logs))
        {
            await Assert.ThrowsAsync<PlatformException>(() => wrongKey.Source.FetchAsync(BusyDay(), CancellationToken.None));
        }

        using var harness = PlatformHarness.Create(_sim, logs: logs);
        await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(BusyDay(PlatformHarness.OtherShopId), CancellationToken.None));
        _sim.Switches.TransientFailureRate = 1;
        await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(BusyDay(), CancellationToken.None));
        _sim.Switches.TransientFailureRate = 0;
        _sim.Switches.ThrottleEverything = true;
        await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(BusyDay(), CancellationToken.None));
        _sim.Switches.ThrottleEverything = false;
        await harness.Source.FetchAsync(BusyDay(), CancellationToken.None);

        Assert.Contains(logs.Lines, l => l.Contains("error_sign", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("too_many_request", StringComparison.Ordinal));
        Assert.All(logs.Lines, line =>
        {
            Assert.DoesNotContain("wrong-partner-key-secret", line, StringComparison.Ordinal);
            Assert.DoesNotContain(PlatformHarness.PartnerKey, line, StringComparison.Ordinal);
            Assert.DoesNotContain(PlatformHarness.Token, line, StringComparison.Ordinal);
            Assert.DoesNotContain("token-10002-secret", line, StringComparison.Ordinal);
            Assert.DoesNotContain("sign=", line, StringComparison.Ordinal);
            Assert.DoesNotContain("access_token=", line, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task FetchPage_ShopWhoseAuthFails_IsPermanentErrorAuth_AfterOneCall()
    {
        _sim.Switches.AuthFailShops.Add(PlatformHarness.OtherShopId);
        using var harness = PlatformHarness.Create(_sim);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(BusyDay(PlatformHarness.OtherShopId), CancellationToken.None));

        Assert.Equal(PlatformErrorKind.Permanent, failure.Kind);
        Assert.Equal("error_auth", failure.Code);
        Assert.Equal(1, harness.Stats.Calls);
        Assert.Equal(1, _sim.Stats.Accepted);
    }

    [Fact]
    public async Task FetchPage_PlatformAlwaysFailing_IsTransientAfterExactlyMaxAttemptsCalls()
    {
        _sim.Switches.TransientFailureRate = 1;
        using var harness = PlatformHarness.Create(_sim, c => c[PlatformHarness.Key("Retry:MaxAttempts")] = "4");

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(BusyDay(), CancellationToken.None));

        Assert.Equal(PlatformErrorKind.Transient, failure.Kind);
        Assert.Equal(new PlatformCallStats(4, 0, 4, 0), harness.Stats);
        Assert.Equal(4, _sim.Stats.Accepted);
    }

    [Fact]
    public async Task FetchPage_PlatformSlowerThanTheTimeout_IsTransientTimeoutPerAttempt()
    {
        _sim.Switches.Latency = TimeSpan.FromSeconds(2);
        using var harness = PlatformHarness.Create(_sim, c =>
        {
            c[PlatformHarness.Key("Timeout")] = "00:00:00.100";
            c[PlatformHarness.Key("Retry:MaxAttempts")] = "2";
        });

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(BusyDay(), CancellationToken.None));

        Assert.Equal(PlatformErrorKind.Transient, failure.Kind);
        Assert.Equal("timeout", failure.Code);
        Assert.Equal(2, harness.Stats.Calls);
    }

    [Fact]
    public async Task FetchPage_ThrottleEverything_ThrowsThrottle_CountedAndNotRetried()
    {
        _sim.Switches.ThrottleEverything = true;
        using var harness = PlatformHarness.Create(_sim);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(BusyDay(), CancellationToken.None));

        Assert.Equal(PlatformErrorKind.Throttle, failure.Kind);
        Assert.Equal("too_many_request", failure.Code);
        Assert.Equal(TimeSpan.FromSeconds(1), failure.RetryAfter);
        Assert.Equal(new PlatformCallStats(1, 1, 0, 0), harness.Stats);
        Assert.Equal(1, _sim.Stats.ForcedThrottles);
    }

    [Fact]
    public async Task FetchPage_ShopWithoutToken_IsPermanentNoAccessToken_WithoutCalling()
    {
        using var harness = PlatformHarness.Create(_sim);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(BusyDay("10003"), CancellationToken.None));

        Assert.Equal(PlatformErrorKind.Permanent, failure.Kind);
        Assert.Equal("no_access_token", failure.Code);
        Assert.Contains("no access token configured for shop 10003 (Platforms:demo:Shops:10003:AccessToken)", failure.Message, StringComparison.Ordinal);
        Assert.Equal(0, harness.Stats.Calls);
    }

    [Fact]
    public async Task FetchPage_NonNumericShop_IsPermanent_WithoutCalling()
    {
        using var harness = PlatformHarness.Create(_sim);

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(BusyDay("shop-a"), CancellationToken.None));

        Assert.Equal("invalid_shop_id", failure.Code);
        Assert.Equal(0, harness.Stats.Calls);
    }

    [Theory]
    [InlineData(16, "range_too_long")]
    [InlineData(0, "invalid_range")]
    public async Task FetchPage_RangeThePlatformCannotServe_IsPermanent_WithoutCalling(int days, string code)
    {
        using var harness = PlatformHarness.Create(_sim);

        var failure = await Assert.ThrowsAsync<PlatformException>(() =>
            harness.Source.FetchAsync(new PageRequest(PlatformHarness.ShopId, _busyDay, _busyDay.AddDays(days), PlatformHarness.OrdersFirstPage), CancellationToken.None));

        Assert.Equal(PlatformErrorKind.Permanent, failure.Kind);
        Assert.Equal(code, failure.Code);
        Assert.Equal(0, harness.Stats.Calls);
    }

    [Fact]
    public async Task FetchPage_ExactlyFifteenDays_IsServed()
    {
        using var harness = PlatformHarness.Create(_sim);

        var page = await harness.Source.FetchAsync(new PageRequest(PlatformHarness.ShopId, _busyDay, _busyDay.AddDays(15), PlatformHarness.OrdersFirstPage), CancellationToken.None);

        Assert.NotEmpty(page.Records);
    }

    [Fact]
    public async Task FetchPage_CancelledByCaller_ThrowsCancellation_NotAPlatformError()
    {
        _sim.Switches.Latency = TimeSpan.FromSeconds(5);
        using var harness = PlatformHarness.Create(_sim);
        using var cancel = new CancellationTokenSource();

        var fetching = harness.Source.FetchAsync(BusyDay(), cancel.Token);
        await Poll.Eventually(() => _sim.Stats.Accepted == 1, TimeSpan.FromSeconds(5), "the first call to be under way");
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fetching);
        Assert.Equal(new PlatformCallStats(1, 0, 0, 0), harness.Stats);
    }

    [Fact]
    public async Task FetchPage_YieldWhileWaitingForABudgetPlace_EndsWithoutCalling()
    {
        using var harness = PlatformHarness.Create(_sim, c => c[PlatformHarness.Key("RateLimit:PermitsPerSecond")] = "1");
        var empty = CatalogDays.FirstDayWith(_sim, PlatformHarness.ShopId, n => n == 0);
        var emptyDay = new PageRequest(PlatformHarness.ShopId, empty, empty.AddDays(1), PlatformHarness.OrdersFirstPage);
        await harness.Source.FetchAsync(emptyDay, CancellationToken.None);
        using var leaving = new CancellationTokenSource();

        // The one place per second is taken until a second after that call's answer: this page waits for it.
        var waiting = harness.Source.FetchAsync(emptyDay with { Yield = leaving.Token }, CancellationToken.None);
        await leaving.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(1, _sim.Stats.Accepted);
        Assert.Equal(1, harness.Stats.Calls);
    }

    [Fact]
    public async Task FetchPage_OwnershipNotHeld_ReachesThePlatformOnlyOnceTheLeaseIsConfirmed()
    {
        using var harness = PlatformHarness.Create(_sim);
        var empty = CatalogDays.FirstDayWith(_sim, PlatformHarness.ShopId, n => n == 0);
        var ownerClock = new FakeTimeProvider();
        var lease = new OwnershipLease(TimeSpan.FromSeconds(1), ownerClock);

        var fetching = harness.Source.FetchAsync(new PageRequest(PlatformHarness.ShopId, empty, empty.AddDays(1), PlatformHarness.OrdersFirstPage) { Ownership = lease }, CancellationToken.None);
        var finishedUnowned = await Task.WhenAny(fetching, Task.Delay(TimeSpan.FromMilliseconds(300))) == fetching;
        var callsUnowned = _sim.Stats.Accepted;
        for (var poll = 0; poll <= 10; poll++)
        {
            lease.Renew();
            ownerClock.Advance(TimeSpan.FromMilliseconds(100));
        }

        await fetching.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(finishedUnowned);
        Assert.Equal(0, callsUnowned);
        Assert.Equal(1, _sim.Stats.Accepted);
    }

    [Fact]
    public async Task FetchPage_YieldDuringACall_LetsThePageFinish()
    {
        _sim.Switches.Latency = TimeSpan.FromMilliseconds(500);
        using var harness = PlatformHarness.Create(_sim);
        using var leaving = new CancellationTokenSource();

        var fetching = harness.Source.FetchAsync(BusyDay() with { Yield = leaving.Token }, CancellationToken.None);
        await Poll.Eventually(() => _sim.Stats.Accepted == 1, TimeSpan.FromSeconds(5), "the first call to be under way");
        await leaving.CancelAsync();

        // A call under way is never cut, and a place that is free is taken: only waiting ends early.
        var page = await fetching;
        Assert.NotEmpty(page.Records);
    }

    [Fact]
    public async Task FetchPage_PlatformDown_IsTransientConnectionError()
    {
        await _sim.DisposeAsync();
        using var harness = PlatformHarness.Create(_sim, c => c[PlatformHarness.Key("Retry:MaxAttempts")] = "2");

        var failure = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(BusyDay(), CancellationToken.None));

        Assert.Equal(PlatformErrorKind.Transient, failure.Kind);
        Assert.Equal("connection_error", failure.Code);
        Assert.Equal(2, harness.Stats.Calls);
        Assert.DoesNotContain(PlatformHarness.Token, failure.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sign=", failure.ToString(), StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(failure.InnerException);
        _sim = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions());
    }
}
