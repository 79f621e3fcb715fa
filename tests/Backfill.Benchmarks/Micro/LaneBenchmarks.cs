using BenchmarkDotNet.Attributes;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;

namespace Backfill.Benchmarks.Micro;

/// <summary>Lane look-ups made per slice and per call: a shop's lane, a lane's partition, a lane's share of the budget.</summary>
[MemoryDiagnoser]
public class LaneBenchmarks
{
    private readonly LanePlan _plan = LanePlan.For(new RateLimitOptions { PermitsPerSecond = 40, PerShopPermitsPerSecond = 5, Lanes = 8 });

    [Benchmark]
    public int LaneOfShop() => _plan.LaneOf("100042");

    [Benchmark]
    public int PartitionOfLane() => LanePlan.Partition("sim", 5, 8);

    [Benchmark]
    public int ShareOfLane() => _plan.Share(5, 8);
}
