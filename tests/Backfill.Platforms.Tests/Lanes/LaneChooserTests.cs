using Backfill.Core.Jobs;
using Backfill.Platforms.Configuration;


namespace Backfill.Platforms.Tests.Lanes;

public sealed class LaneChooserTests
{
    private static SliceRecord Slice(string shop, int day, int lane = 0, int lanes = 0) => new()
    {
        Id = $"j/{shop}/{day}",
        Shop = shop,
        FirstDay = new DateOnly(2024, 5, 1).AddDays(day),
        Lane = lane,
        Lanes = lanes,
    };

    /// <summary>Day-major, like the store hands them out.</summary>
    private static List<SliceRecord> Pending(int days, params string[] shops) =>
        [.. Enumerable.Range(0, days).SelectMany(day => shops.Select(shop => Slice(shop, day)))];

    [Fact]
    public void EveryLaneGetsWork_BeforeAnyLaneGetsASecondSlice()
    {
        var chosen = LaneChooser.Choose(Pending(10, "a"), [], lanes: 4, shopLanes: null, count: 6);

        Assert.Equal([0, 1, 2, 3, 0, 1], chosen.Select(c => c.Lane));
        Assert.Equal(Pending(10, "a").Take(6).Select(s => s.Id), chosen.Select(c => c.Slice.Id));
    }

    [Fact]
    public void BusyLanes_AreFilledLast()
    {
        var inFlight = new[] { Slice("x", 0, lane: 0, lanes: 4), Slice("x", 1, lane: 0, lanes: 4), Slice("x", 2, lane: 2, lanes: 4) };

        var chosen = LaneChooser.Choose(Pending(10, "a"), inFlight, lanes: 4, shopLanes: null, count: 3);

        Assert.Equal([1, 3, 1], chosen.Select(c => c.Lane));
    }

    [Fact]
    public void LargerLanes_HoldSlicesInProportionToTheirShares_AfterEveryLaneHasOne()
    {
        // 20 calls over 8 lanes: four lanes of 3 calls a window, four of 2.
        int[] shares = [3, 3, 3, 3, 2, 2, 2, 2];

        var first = LaneChooser.Choose(Pending(40, "a"), [], lanes: 8, shopLanes: null, count: 8, shares);
        var all = LaneChooser.Choose(Pending(40, "a"), [], lanes: 8, shopLanes: null, count: 40, shares);

        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], first.Select(c => c.Lane).Order());
        Assert.Equal([6, 6, 6, 6, 4, 4, 4, 4], Enumerable.Range(0, 8).Select(lane => all.Count(c => c.Lane == lane)));
    }

    [Fact]
    public void ALargerLane_TakesTheNextSlice_WhenItsSlicesPerCallAreFewer()
    {
        // Lane 0 makes 3 calls a window, lane 1 makes 2, both hold 2 slices: a third on lane 0 is 1 slice per call,
        // on lane 1 1.5; a fourth on lane 0 is 1.33, still fewer; then lane 1's turn.
        var inFlight = new[] { Slice("x", 0, lane: 0, lanes: 2), Slice("x", 1, lane: 0, lanes: 2), Slice("x", 2, lane: 1, lanes: 2), Slice("x", 3, lane: 1, lanes: 2) };

        var chosen = LaneChooser.Choose(Pending(10, "a"), inFlight, lanes: 2, shopLanes: null, count: 3, shares: [3, 2]);

        Assert.Equal([0, 0, 1], chosen.Select(c => c.Lane));
    }

    [Fact]
    public void SharesThatDoNotFitTheLanes_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => LaneChooser.Choose(Pending(1, "a"), [], lanes: 2, shopLanes: null, count: 1, shares: [3]));
        Assert.Throws<ArgumentException>(() => LaneChooser.Choose(Pending(1, "a"), [], lanes: 2, shopLanes: null, count: 1, shares: [3, 0]));
    }

    [Fact]
    public void SlicesInFlightUnderAnotherLaneCount_DoNotSkewTheLanes()
    {
        var inFlight = new[] { Slice("x", 0, lane: 0, lanes: 8) };

        var chosen = LaneChooser.Choose(Pending(10, "a"), inFlight, lanes: 4, shopLanes: null, count: 1);

        Assert.Equal(0, Assert.Single(chosen).Lane);
    }

    [Fact]
    public void AShopWithMuchInFlight_DoesNotCrowdOutTheOthers()
    {
        // Shop "big" already has three slices out; the next ones go to the other shops first (R8).
        var inFlight = new[] { Slice("big", 0, 0, 4), Slice("big", 1, 1, 4), Slice("big", 2, 2, 4) };

        var chosen = LaneChooser.Choose(Pending(5, "big", "small1", "small2"), inFlight, lanes: 4, shopLanes: null, count: 3);

        Assert.Equal(["small1", "small2", "small1"], chosen.Select(c => c.Slice.Shop));
    }

    [Fact]
    public void StickyShops_UseOnlyTheirLanes_AndTheShopWithTheLeastBusyLaneGoesFirst()
    {
        var lanesOf = new Dictionary<string, IReadOnlyList<int>> { ["a"] = [0], ["b"] = [1], ["c"] = [1] };
        var inFlight = new[] { Slice("a", 0, 0, 2), Slice("a", 1, 0, 2) };

        var chosen = LaneChooser.Choose(Pending(5, "a", "b", "c"), inFlight, lanes: 2, shopLanes: s => lanesOf[s], count: 4);

        Assert.All(chosen, c => Assert.Equal(lanesOf[c.Slice.Shop][0], c.Lane));
        Assert.Equal(["b", "c", "b", "a"], chosen.Select(c => c.Slice.Shop));
    }

    [Fact]
    public void OneStickyShop_FillsAllItsLanes_BeforeAnyGetsASecondSlice()
    {
        var plan = LanePlan.For(new RateLimitOptions { PermitsPerSecond = 8, PerShopPermitsPerSecond = 8 });

        var chosen = LaneChooser.Choose(Pending(20, "10001"), [], plan.Lanes, plan.LanesOf, count: 16);

        Assert.Equal(8, plan.ShopLanes);
        Assert.Equal(plan.LanesOf("10001").Concat(plan.LanesOf("10001")), chosen.Select(c => c.Lane));
    }

    [Fact]
    public void ThreeStickyShops_BalanceOverTheLanes_EachOnItsOwnLanes()
    {
        // 30/s in 8 lanes, each shop 10/s over all 8 lanes: 24 slices in flight put 3 on every lane, one of each shop.
        var plan = LanePlan.For(new RateLimitOptions { PermitsPerSecond = 30, PerShopPermitsPerSecond = 10 });
        var shops = new[] { "10001", "10002", "10003" };

        var chosen = LaneChooser.Choose(Pending(20, shops), [], plan.Lanes, plan.LanesOf, count: 24);

        Assert.All(chosen.GroupBy(c => c.Lane), lane => Assert.Equal(3, lane.Count()));
        Assert.All(chosen.GroupBy(c => c.Slice.Shop), shop => Assert.Equal(8, shop.Select(c => c.Lane).Distinct().Count()));
    }

    [Fact]
    public void StickyShopsWithFewerLanes_StayOnThem_AndSpreadOverThem()
    {
        // A shop of 3/s uses 3 of the 8 lanes; its slices go round them, never elsewhere.
        var plan = LanePlan.For(new RateLimitOptions { PermitsPerSecond = 20, PerShopPermitsPerSecond = 3 });
        var shops = new[] { "10001", "10002" };

        var chosen = LaneChooser.Choose(Pending(20, shops), [], plan.Lanes, plan.LanesOf, count: 12);

        foreach (var shop in shops)
        {
            var lanes = chosen.Where(c => c.Slice.Shop == shop).Select(c => c.Lane).ToList();
            Assert.All(lanes, lane => Assert.Contains(lane, plan.LanesOf(shop)));
            Assert.All(lanes.GroupBy(l => l), g => Assert.Equal(2, g.Count()));
        }
    }

    [Fact]
    public void NeverMoreThanAskedOrPending()
    {
        Assert.Equal(2, LaneChooser.Choose(Pending(1, "a", "b"), [], lanes: 4, shopLanes: null, count: 5).Count);
        Assert.Empty(LaneChooser.Choose(Pending(3, "a"), [], lanes: 4, shopLanes: null, count: 0));
    }
}
