using Backfill.Platforms.Configuration;
using Backfill.Platforms.Tests.TestSupport;
using Backfill.Simulators;

namespace Backfill.Platforms.Tests.Shopee;

/// <summary>
/// The budget's counting against the simulator over real HTTP, which counts a call when it arrives and answers after a
/// latency drawn in 300–500 ms: counted on arrival the same callers make more calls than counted strict, and neither
/// is refused. Real time: run alone.
/// </summary>
[Trait("Category", "Integration")]
[Collection(TimingCollection.Name)]
public sealed class ArrivalCountingTests
{
    private const int Rate = 10;
    private static readonly TimeSpan RunFor = TimeSpan.FromSeconds(5);

    private static async Task<(long Accepted, long Refused)> CallForAsync(RateLimitCounting counting)
    {
        var options = PlatformHarness.SimulatorOptions(permitsPerSecond: Rate);
        options.Latency = TimeSpan.FromMilliseconds(300);
        options.LatencyMax = TimeSpan.FromMilliseconds(500);
        await using var sim = await PlatformSimulator.StartAsync(options);
        using var harness = PlatformHarness.Create(sim, c =>
        {
            c[PlatformHarness.Key("RateLimit:PermitsPerSecond")] = $"{Rate}";
            c[PlatformHarness.Key("RateLimit:Lanes")] = "1";
            c[PlatformHarness.Key("RateLimit:Counting")] = counting.ToString();

            // Wide enough for a loaded two-core machine's pauses between admission and the request leaving.
            c[PlatformHarness.Key("RateLimit:ArrivalJitter")] = "00:00:00.150";
        });
        var day = CatalogDays.FirstDayWith(sim, PlatformHarness.ShopId, n => n is > 0 and <= 50);
        var request = new PageRequest(PlatformHarness.ShopId, day, day.AddDays(1), PlatformHarness.OrdersFirstPage);

        using var stop = new CancellationTokenSource(RunFor);
        var callers = Enumerable.Range(0, 3 * Rate).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await harness.Source.FetchAsync(request, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
            }
        })).ToList();
        await Task.WhenAll(callers);

        var stats = sim.Stats.Snapshot();
        return (stats.Accepted, stats.Refused);
    }

    [Fact]
    public async Task AtLatency_ArrivalCounting_MakesMoreCallsThanStrict_AndNoneIsRefused()
    {
        var strict = await CallForAsync(RateLimitCounting.Strict);
        var arrival = await CallForAsync(RateLimitCounting.Arrival);

        // Strict: 10 per 1.4 s on average (≈ 36 in 5 s, the first 10 at once); on arrival: 10 per 1.15 s (≈ 44).
        Assert.Equal(0, strict.Refused);
        Assert.Equal(0, arrival.Refused);
        Assert.True(arrival.Accepted >= strict.Accepted * 1.12, $"arrival {arrival.Accepted} calls, strict {strict.Accepted}");
    }
}
