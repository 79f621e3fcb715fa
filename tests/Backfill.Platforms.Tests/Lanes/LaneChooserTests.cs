using Backfill.Core.Jobs;


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
        var chosen = LaneChooser.Choose(Pending(10, "a"), [], lanes: 4, stickyLane: null, count: 6);

        Assert.Equal([0, 1, 2, 3, 0, 1], chosen.Select(c => c.Lane));
        Assert.Equal(Pending(10, "a").Take(6).Select(s => s.Id), chosen.Select(c => c.Slice.Id));
    }

    [Fact]
    public void BusyLanes_AreFilledLast()
    {
        var inFlight = new[] { Slice("x", 0, lane: 0, lanes: 4), Slice("x", 1, lane: 0, lanes: 4), Slice("x", 2, lane: 2, lanes: 4) };

        var chosen = LaneChooser.Choose(Pending(10, "a"), inFlight, lanes: 4, stickyLane: null, count: 3);

        Assert.Equal([1, 3, 1], chosen.Select(c => c.Lane));
    }

    [Fact]
    public void SlicesInFlightUnderAnotherLaneCount_DoNotSkewTheLanes()
    {
        var inFlight = new[] { Slice("x", 0, lane: 0, lanes: 8) };

        var chosen = LaneChooser.Choose(Pending(10, "a"), inFlight, lanes: 4, stickyLane: null, count: 1);

        Assert.Equal(0, Assert.Single(chosen).Lane);
    }

    [Fact]
    public void AShopWithMuchInFlight_DoesNotCrowdOutTheOthers()
    {
        // Shop "big" already has three slices out; the next ones go to the other shops first (R8).
        var inFlight = new[] { Slice("big", 0, 0, 4), Slice("big", 1, 1, 4), Slice("big", 2, 2, 4) };

        var chosen = LaneChooser.Choose(Pending(5, "big", "small1", "small2"), inFlight, lanes: 4, stickyLane: null, count: 3);

        Assert.Equal(["small1", "small2", "small1"], chosen.Select(c => c.Slice.Shop));
    }

    [Fact]
    public void StickyShops_KeepTheirLane_AndTheLeastBusyLaneGoesFirst()
    {
        var laneOf = new Dictionary<string, int> { ["a"] = 0, ["b"] = 1, ["c"] = 1 };
        var inFlight = new[] { Slice("a", 0, 0, 2), Slice("a", 1, 0, 2) };

        var chosen = LaneChooser.Choose(Pending(5, "a", "b", "c"), inFlight, lanes: 2, stickyLane: s => laneOf[s], count: 4);

        Assert.All(chosen, c => Assert.Equal(laneOf[c.Slice.Shop], c.Lane));
        Assert.Equal(["b", "c", "b", "a"], chosen.Select(c => c.Slice.Shop));
    }

    [Fact]
    public void NeverMoreThanAskedOrPending()
    {
        Assert.Equal(2, LaneChooser.Choose(Pending(1, "a", "b"), [], lanes: 4, stickyLane: null, count: 5).Count);
        Assert.Empty(LaneChooser.Choose(Pending(3, "a"), [], lanes: 4, stickyLane: null, count: 0));
    }
}
