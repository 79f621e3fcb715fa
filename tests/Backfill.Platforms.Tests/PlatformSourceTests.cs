using Backfill.Core.Data;
using Backfill.Platforms.Shopee;
using Backfill.Simulators;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

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

    [Fact]
    public async Task OnArrival_ARequestThatOpensAConnection_IsCountedStrict_TheNextOnThatConnectionOnArrival()
    {
        _sim.Switches.Latency = TimeSpan.FromMilliseconds(300);
        using var harness = PlatformHarness.Create(_sim, OneCallASecondOnArrival(attempts: 1));
        var request = new PageRequest(PlatformHarness.ShopId, _day, _day.AddDays(1), PlatformHarness.OrdersFirstPage);

        await harness.Source.FetchAsync(request, CancellationToken.None);
        await harness.Source.FetchAsync(request, CancellationToken.None);

        // The first request opened the client's connection: counted until a window + J after its answer (the 300 ms
        // latency, 1.05 s). The later ones went out on that connection: counted for a window + J from their start.
        var calls = _sim.Calls.Snapshot().OrderBy(c => c.At).ToList();
        Assert.True(calls.Count >= 3);
        Assert.InRange(calls[1].At - calls[0].At, TimeSpan.FromMilliseconds(1300), TimeSpan.FromSeconds(10));
        Assert.InRange(calls[2].At - calls[1].At, TimeSpan.FromMilliseconds(950), TimeSpan.FromMilliseconds(1250));
        Assert.Equal(0, harness.Stats.LeftLate);
    }

    [Fact]
    public async Task OnArrival_ARequestHeldInTheProcessPastHalfTheJitter_IsCountedStrict_AndSaidSo()
    {
        _sim.Switches.Latency = TimeSpan.FromMilliseconds(300);
        using var logs = new LogCapture();
        var pause = new PauseRequest(number: 2, TimeSpan.FromMilliseconds(100));
        using var harness = PlatformHarness.Create(_sim, OneCallASecondOnArrival(attempts: 1), logs, pause.AddTo);
        var request = new PageRequest(PlatformHarness.ShopId, _day, _day.AddDays(1), PlatformHarness.OrdersFirstPage);

        await harness.Source.FetchAsync(request, CancellationToken.None);
        await harness.Source.FetchAsync(request, CancellationToken.None);

        // The held call is counted from its start to a window + J after its answer (its 100 ms, the 300 ms latency, 1.05 s),
        // not for a window + J from its start: the next arrives 1.35 s or more after it, not about 0.95 s.
        var calls = _sim.Calls.Snapshot().OrderBy(c => c.At).ToList();
        Assert.True(calls.Count >= 3);
        Assert.InRange(calls[2].At - calls[1].At, TimeSpan.FromMilliseconds(1300), TimeSpan.FromSeconds(10));
        Assert.Equal(1, harness.Stats.LeftLate);
        Assert.Equal(1, logs.Count("left this process"));
    }

    [Fact]
    public async Task OnArrival_ARequestHeldPastItsPlaceInTheWindow_IsNotSent_AndAskedAgain()
    {
        var pause = new PauseRequest(number: 2, TimeSpan.FromMilliseconds(1200));
        using var harness = PlatformHarness.Create(_sim, OneCallASecondOnArrival(attempts: 2), services: pause.AddTo);
        var request = new PageRequest(PlatformHarness.ShopId, _day, _day.AddDays(1), PlatformHarness.OrdersFirstPage);

        var page = await harness.Source.FetchAsync(request, CancellationToken.None);

        // The second request (the page's first detail call) was held 1.2 s, past its 1.05 s: it did not go out, its
        // retry did; one call a second all the same.
        var calls = _sim.Calls.Snapshot().OrderBy(c => c.At).ToList();
        Assert.Equal(pause.Requests - 1, calls.Count);
        Assert.Equal(_sim.Expected(PlatformHarness.ShopId, _day, _day.AddDays(1), Datasets.Orders, TimeFields.CreateTime).Ids, page.Records.Select(r => r.Id));
        Assert.Equal((1L, 1L), (harness.Stats.LeftLate, harness.Stats.TransientErrors));
        Assert.All(calls.Zip(calls.Skip(1)), p => Assert.True(p.Second.At - p.First.At >= TimeSpan.FromMilliseconds(950), $"{p.Second.At - p.First.At}"));
    }

    private static Action<Dictionary<string, string?>> OneCallASecondOnArrival(int attempts) => c =>
    {
        c[PlatformHarness.Key("RateLimit:PermitsPerSecond")] = "1";
        c[PlatformHarness.Key("RateLimit:SafetyMargin")] = "0";
        c[PlatformHarness.Key("RateLimit:Counting")] = "Arrival";
        c[PlatformHarness.Key("RateLimit:ArrivalJitter")] = "00:00:00.050";
        c[PlatformHarness.Key("Retry:MaxAttempts")] = attempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
    };

    /// <summary>Holds the platform client's <paramref name="number"/>th request before any of its handlers, as a pause of the process would.</summary>
    private sealed class PauseRequest(int number, TimeSpan pause) : DelegatingHandler
    {
        private int _requests;

        public int Requests => _requests;

        public void AddTo(IServiceCollection services) =>
            services.Configure<HttpClientFactoryOptions>(
                PlatformsServiceCollectionExtensions.HttpClientName(PlatformHarness.Platform),
                o => o.HttpMessageHandlerBuilderActions.Add(b => b.AdditionalHandlers.Insert(0, this)));

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _requests) == number)
            {
                await Task.Delay(pause, cancellationToken);
            }

            return await base.SendAsync(request, cancellationToken);
        }
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
