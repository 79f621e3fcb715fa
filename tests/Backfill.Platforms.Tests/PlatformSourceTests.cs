using Backfill.Core.Data;
using Backfill.Platforms.Shopee;
using Backfill.Simulators;

namespace Backfill.Platforms.Tests;

/// <summary>How a platform's source makes the calls of one page, against the simulator over HTTP.</summary>
[Trait("Category", "Integration")]
public sealed class PlatformSourceTests : IAsyncLifetime
{
    private PlatformSimulator _sim = null!;
    private DateTimeOffset _day;

    public async Task InitializeAsync()
    {
        _sim = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions());
        _day = CatalogDays.FirstDayWith(_sim, PlatformHarness.ShopId, n => n is >= 20 and <= 50);
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task FinancePage_TheEscrowCallsOfAPageGoOutSeveralAtOnce_NoMoreThanTheCap()
    {
        _sim.Switches.Latency = TimeSpan.FromMilliseconds(40);
        using var harness = PlatformHarness.Create(_sim, c =>
        {
            c[PlatformHarness.Key("RateLimit:PermitsPerSecond")] = "400";
            c[PlatformHarness.Key("RateLimit:Lanes")] = "4";
        });

        // The lane's share is 100 calls per window: the cap on a page's calls at once is what bounds them.
        var page = await harness.Source.FetchAsync(
            new PageRequest(PlatformHarness.ShopId, _day, _day.AddDays(1), new SliceCursor(SlicePhase.List, null)) { Data = Datasets.Finance, Lane = new LaneRef(1, 4) },
            CancellationToken.None);

        var escrows = _sim.Calls.Snapshot().Where(c => c.Path == ShopeePaths.EscrowDetail).ToList();
        var atOnce = MostAtOnce(escrows);
        Assert.Equal(_sim.Expected(PlatformHarness.ShopId, _day, _day.AddDays(1), Datasets.Finance, TimeFields.CreateTime).Ids, page.Records.Select(r => r.Id));
        Assert.Equal(page.Records.Count, escrows.Count);
        Assert.InRange(atOnce, 2, PlatformSource.MaxCallsAtOnce);
    }

    [Fact]
    public async Task TimedOutCall_HoldsItsPlaceForATimeoutMore_ThePlatformMayStillCountItThatLate()
    {
        var timeout = TimeSpan.FromMilliseconds(500);
        _sim.Switches.StallFor = TimeSpan.FromSeconds(2);
        using var harness = PlatformHarness.Create(_sim, c =>
        {
            c[PlatformHarness.Key("RateLimit:PermitsPerSecond")] = "1";
            c[PlatformHarness.Key("RateLimit:SafetyMargin")] = "0";
            c[PlatformHarness.Key("Retry:MaxAttempts")] = "1";
            c[PlatformHarness.Key("Timeout")] = timeout.ToString();
        });
        var request = new PageRequest(PlatformHarness.ShopId, _day, _day.AddDays(1), PlatformHarness.OrdersFirstPage);
        _sim.Switches.InjectBurst(SimulatorFault.Stall, 1);

        var started = TimeProvider.System.GetUtcNow();
        var givenUp = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(request, CancellationToken.None));
        await harness.Source.FetchAsync(request, CancellationToken.None);

        // One call a second: the next may start a second after the stalled call's latest possible arrival, one timeout
        // after it was given up on (started + timeout + timeout), not a second after it was given up on (50 ms for the
        // clocks' reading).
        var lists = _sim.Calls.Snapshot().Where(c => c.Path == ShopeePaths.OrderList).OrderBy(c => c.At).ToList();
        Assert.Equal(PlatformHttp.Timeout, givenUp.Code);
        Assert.Equal(nameof(SimulatorFault.Stall), lists[0].Outcome);
        Assert.InRange(lists[1].At - started, timeout + timeout + TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(10));
    }

    /// <summary>The most calls the simulator was answering at the same instant (an answer ends before a call that starts then).</summary>
    private static int MostAtOnce(IEnumerable<SimulatorCall> calls)
    {
        var open = 0;
        var most = 0;
        foreach (var (_, change) in calls.SelectMany(c => new[] { (c.At, 1), (c.AnsweredAt, -1) }).OrderBy(e => e.Item1).ThenBy(e => e.Item2))
        {
            open += change;
            most = Math.Max(most, open);
        }

        return most;
    }
}
