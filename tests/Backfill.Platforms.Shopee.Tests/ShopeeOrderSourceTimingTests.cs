using System.Diagnostics;
using Backfill.Simulators;

namespace Backfill.Platforms.Shopee.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "Timing";
}

/// <summary>Real time is unavoidable here: the token bucket reads its own clock. Run alone so other tests do not steal the CPU.</summary>
[Trait("Category", "Integration")]
[Collection(TimingCollection.Name)]
public sealed class ShopeeOrderSourceTimingTests
{
    private const int Rate = 20;
    private static readonly TimeSpan RunFor = TimeSpan.FromSeconds(2.5);

    [Fact]
    public async Task LimiterAtR_AgainstASimulatorLimitOfR_IsNeverRefused_AndUsesTheBudget()
    {
        await using var sim = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions(permitsPerSecond: Rate));
        using var harness = PlatformHarness.Create(sim, c => c[PlatformHarness.Key("RateLimit:PermitsPerSecond")] = $"{Rate}");
        var request = new PageRequest(PlatformHarness.ShopId, CatalogDays.FirstDayWith(sim, PlatformHarness.ShopId, n => n is > 0 and <= 50), default, PlatformHarness.OrdersFirstPage);
        request = request with { To = request.From.AddDays(1) };

        // The first call of a process pays for JIT and connection set-up; the budget is measured after it.
        await harness.Source.FetchAsync(request, CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < RunFor)
            {
                await harness.Source.FetchAsync(request, CancellationToken.None);
            }
        })).ToList();
        var samples = new List<(TimeSpan At, long Accepted)>();
        while (!workers.All(w => w.IsCompleted))
        {
            samples.Add((clock.Elapsed, sim.Stats.Accepted));
            await Task.Delay(50);
        }

        await Task.WhenAll(workers);

        var stats = sim.Stats.Snapshot();
        Assert.Equal(0, stats.Refused);
        Assert.InRange(stats.PeakCallsPerSecond, 1, Rate);
        Assert.Equal(0, harness.Stats.Throttled);

        // The bucket runs at 95% of R. The best second of the run shows the budget is used, not just respected;
        // the whole run is no measure on a two-core machine where the test host can stall every thread for a while.
        var best = BestRate(samples);
        Assert.True(best >= 0.85 * Rate, $"best rate {best:F1} calls per second");
    }

    private static double BestRate(List<(TimeSpan At, long Accepted)> samples)
    {
        var best = 0.0;
        for (var i = 0; i < samples.Count; i++)
        {
            var j = samples.FindIndex(i, s => s.At - samples[i].At >= TimeSpan.FromSeconds(1));
            if (j > 0)
            {
                best = Math.Max(best, (samples[j].Accepted - samples[i].Accepted) / (samples[j].At - samples[i].At).TotalSeconds);
            }
        }

        return best;
    }

    [Fact]
    public async Task AfterAThrottle_NoCallOfThePlatformStartsUntilRetryAfterHasPassed()
    {
        await using var sim = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions());
        using var harness = PlatformHarness.Create(sim);
        var day = CatalogDays.FirstDayWith(sim, PlatformHarness.OtherShopId, n => n == 0);
        var request = new PageRequest(PlatformHarness.ShopId, day, day.AddDays(1), PlatformHarness.OrdersFirstPage);
        sim.Switches.ThrottleEverything = true;
        await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(request, CancellationToken.None));
        var throttledAt = Stopwatch.StartNew();
        sim.Switches.ThrottleEverything = false;

        // Another shop of the same platform waits too: the pause is for the whole platform.
        await harness.Source.FetchAsync(request with { ShopId = PlatformHarness.OtherShopId }, CancellationToken.None);

        Assert.True(throttledAt.Elapsed >= TimeSpan.FromMilliseconds(900), $"resumed after {throttledAt.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(1, sim.Stats.ForcedThrottles);
        Assert.Equal(1, sim.Stats.Accepted);
    }
}
