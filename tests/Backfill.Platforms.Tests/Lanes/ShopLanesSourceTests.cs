using Backfill.Core.Data;
using Backfill.Platforms.Configuration;
using Backfill.Simulators;

namespace Backfill.Platforms.Tests.Lanes;

/// <summary>Under a per-shop limit a worker calls for a shop only on the shop's lanes, where a part of its limit is kept.</summary>
[Trait("Category", "Integration")]
public sealed class ShopLanesSourceTests : IAsyncLifetime
{
    private PlatformSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions());

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private PlatformHarness Harness() => PlatformHarness.Create(_sim, c =>
    {
        c[PlatformHarness.Key("RateLimit:PermitsPerSecond")] = "20";
        c[PlatformHarness.Key("RateLimit:PerShopPermitsPerSecond")] = "3";
        c[PlatformHarness.Key("RateLimit:Lanes")] = "8";
    });

    private static PageRequest Page(LaneRef lane)
    {
        var day = new DateTimeOffset(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
        return new PageRequest(PlatformHarness.ShopId, day, day.AddDays(1), new SliceCursor(SlicePhase.List, null)) { Lane = lane };
    }

    [Fact]
    public async Task ASliceOnALaneThatIsNotOneOfTheShops_FailsAsALaneMismatch_WithoutACall()
    {
        var plan = LanePlan.For(new RateLimitOptions { PermitsPerSecond = 20, PerShopPermitsPerSecond = 3, Lanes = 8 });
        var outside = Enumerable.Range(0, 8).First(lane => !plan.LanesOf(PlatformHarness.ShopId).Contains(lane));
        using var harness = Harness();

        var refused = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(Page(new LaneRef(outside, 8)), CancellationToken.None));
        // Released under another lane count (the lanes changed since): no part of the shop's limit can be found for it.
        var otherCount = await Assert.ThrowsAsync<PlatformException>(() => harness.Source.FetchAsync(Page(new LaneRef(plan.LaneOf(PlatformHarness.ShopId) % 4, 4)), CancellationToken.None));

        Assert.Equal(("lane_mismatch", PlatformErrorKind.Permanent), (refused.Code, refused.Kind));
        Assert.Contains($"not one of shop {PlatformHarness.ShopId}'s lanes", refused.Message, StringComparison.Ordinal);
        Assert.Contains("retry it", refused.Message, StringComparison.Ordinal);
        Assert.Equal("lane_mismatch", otherCount.Code);
        Assert.Equal(0, _sim.Stats.Accepted + _sim.Stats.Refused);

        var page = await harness.Source.FetchAsync(Page(new LaneRef(plan.LanesOf(PlatformHarness.ShopId)[^1], 8)), CancellationToken.None);
        Assert.NotNull(page);
    }
}
