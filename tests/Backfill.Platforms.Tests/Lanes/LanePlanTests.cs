using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Tests.Lanes;

public sealed class LanePlanTests
{
    private static LanePlan Plan(double perSecond, int? lanes = null, double? perShop = null, double margin = 0, bool tokens = false) =>
        LanePlan.For(new RateLimitOptions { PermitsPerSecond = perSecond, Lanes = lanes, PerShopPermitsPerSecond = perShop, SafetyMargin = margin, ReservesTokenCall = tokens });

    [Theory]
    [InlineData(20, 0, 20, 1000)]
    [InlineData(2.5, 0, 2, 1000)]
    [InlineData(0.5, 0, 1, 2000)]
    [InlineData(20, 0.1, 18, 1000)]
    [InlineData(1, 0, 1, 1000)]
    public void Budget_IsWholeCallsPerWindow_NeverMoreThanTheLimitInAnySecond(double perSecond, double margin, int calls, int windowMs)
    {
        var (actualCalls, window) = LanePlan.Budget(perSecond, margin);

        Assert.Equal(calls, actualCalls);
        Assert.Equal(TimeSpan.FromMilliseconds(windowMs), window);
    }

    [Fact]
    public void Shares_AddUpToTheBudget_AndDifferByAtMostOne_ForEveryLimitAndLaneCount()
    {
        for (var perSecond = 1; perSecond <= 60; perSecond++)
        {
            var plan = Plan(perSecond);
            for (var lanes = 1; lanes <= plan.Calls; lanes++)
            {
                var shares = Enumerable.Range(0, lanes).Select(lane => plan.Share(lane, lanes)).ToList();

                Assert.Equal(plan.Calls, shares.Sum());
                Assert.True(shares.Max() - shares.Min() <= 1, $"{perSecond}/s in {lanes} lanes: {string.Join(",", shares)}");
                Assert.All(shares, share => Assert.True(share >= 1));
            }
        }
    }

    [Fact]
    public void WhenTheFleetRefreshesTokens_OneCallPerWindowIsKept_AndTheLanesShareTheRest_ForEveryLimitAndLaneCount()
    {
        for (var perSecond = 1; perSecond <= 60; perSecond++)
        {
            var plan = Plan(perSecond, tokens: true);
            Assert.Equal(perSecond >= 2 ? 1 : 0, plan.TokenCalls);
            Assert.Equal(plan.Calls - plan.TokenCalls, plan.LaneCalls);
            Assert.Equal(Math.Min(8, plan.LaneCalls), plan.Lanes);
            for (var lanes = 1; lanes <= plan.LaneCalls; lanes++)
            {
                var shares = Enumerable.Range(0, lanes).Select(lane => plan.Share(lane, lanes)).ToList();

                // Lanes and the refresher together never hold more than the platform's calls in a window.
                Assert.Equal(plan.Calls, shares.Sum() + plan.TokenCalls);
                Assert.All(shares, share => Assert.True(share >= 1));
            }

            Assert.Throws<ArgumentOutOfRangeException>(() => plan.Share(0, plan.LaneCalls + 1));
        }
    }

    [Fact]
    public void WithoutTokenRefresh_NothingIsKept()
    {
        var plan = Plan(20);

        Assert.Equal((0, 20, 8), (plan.TokenCalls, plan.LaneCalls, plan.Lanes));
    }

    [Theory]
    [InlineData(20, 8, 8.0, false)]
    [InlineData(20, 8, 9.0, true)]
    public void TryRetarget_WhenTheFleetRefreshesTokens_KeepsTheTokenCallOutOfTheLanes(double configured, int lanes, double live, bool fits)
    {
        var plan = Plan(configured, lanes, tokens: true);

        Assert.Equal(fits, plan.TryRetarget(live, out var next, out var problem));
        if (fits)
        {
            Assert.Equal(1, next!.TokenCalls);
            Assert.Equal(8, next.LaneCalls);
        }
        else
        {
            Assert.Contains("the lowest live limit is 9/s", problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 3)]
    [InlineData(-1, 2)]
    [InlineData(0, 21)]
    public void Share_OfALaneOutsideTheBudget_Throws(int lane, int lanes) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Plan(20).Share(lane, lanes));

    [Theory]
    [InlineData(20, null, 8)]
    [InlineData(5, null, 5)]
    [InlineData(0.5, null, 1)]
    [InlineData(20, 3, 3)]
    public void Lanes_DefaultToEightOrTheWholeCalls(double perSecond, int? configured, int expected) =>
        Assert.Equal(expected, Plan(perSecond, configured).Lanes);

    [Fact]
    public void LaneOf_IsStableAndInRange_AndSpreadsShops()
    {
        var plan = Plan(20, lanes: 4, perShop: 2);
        var lanes = Enumerable.Range(10_000, 400).Select(shop => plan.LaneOf(shop.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();

        Assert.All(lanes, lane => Assert.InRange(lane, 0, 3));
        Assert.Equal(lanes, Enumerable.Range(10_000, 400).Select(shop => plan.LaneOf(shop.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        Assert.All(lanes.GroupBy(l => l), g => Assert.InRange(g.Count(), 60, 140));
    }

    [Fact]
    public void Partitions_OfOnePlatformsLanes_AreDistinct_WhileLanesFitThePartitions()
    {
        foreach (var platform in new[] { "shopee", "lazada", "demo", "Shopee" })
        {
            var partitions = Enumerable.Range(0, 8).Select(lane => LanePlan.Partition(platform, lane, 8)).ToList();

            Assert.Equal(8, partitions.Distinct().Count());
            Assert.All(partitions, p => Assert.InRange(p, 0, 7));
        }

        // Platform names are case-insensitive, like configuration keys.
        Assert.Equal(LanePlan.Partition("shopee", 3, 8), LanePlan.Partition("SHOPEE", 3, 8));
    }

    [Fact]
    public void Sticky_OnlyWithAPerShopLimit_AndTheHoldCoversTheLongestWindow()
    {
        Assert.False(Plan(20).Sticky);
        Assert.Equal(TimeSpan.FromSeconds(1), Plan(20).HandOverHold);

        var perShop = Plan(20, perShop: 0.25);
        Assert.True(perShop.Sticky);
        Assert.Equal(1, perShop.ShopCalls);
        Assert.Equal(TimeSpan.FromSeconds(4), perShop.HandOverHold);
    }

    [Fact]
    public void HandOverHold_CountedOnArrival_IsOneJitterLonger()
    {
        var plan = LanePlan.For(new RateLimitOptions { PermitsPerSecond = 20, Counting = RateLimitCounting.Arrival, ArrivalJitter = TimeSpan.FromMilliseconds(80) });

        Assert.Equal(TimeSpan.FromMilliseconds(1080), plan.HandOverHold);
    }

    [Theory]
    [InlineData(20, 8, 10.0, 10)]
    [InlineData(20, 8, 8.0, 8)]
    [InlineData(20, 8, 100.0, 100)]
    [InlineData(5, 2, 2.5, 2)]
    public void TryRetarget_KeepsLanesAndWindow_AndSplitsTheNewCalls(double configured, int lanes, double live, int calls)
    {
        var plan = Plan(configured, lanes);

        Assert.True(plan.TryRetarget(live, out var next, out _));

        Assert.Equal(lanes, next.Lanes);
        Assert.Equal(plan.Window, next.Window);
        Assert.Equal(calls, next.Calls);
        Assert.Equal(calls, Enumerable.Range(0, lanes).Sum(l => next.Share(l, lanes)));
        Assert.True(next.TryRetarget(null, out var back, out _));
        Assert.Equal(plan.Calls, back.Calls);
    }

    [Theory]
    [InlineData(20, 8, 7.9, "8 lanes")]
    [InlineData(20, 8, 0.0, "positive")]
    [InlineData(20, 8, double.PositiveInfinity, "positive")]
    [InlineData(0.5, 1, 0.25, "counts calls over 4 s instead of 2 s")]
    public void TryRetarget_ALimitTheLanesCannotKeep_IsRefusedWithTheReason(double configured, int lanes, double live, string reason)
    {
        Assert.False(Plan(configured, lanes).TryRetarget(live, out var next, out var problem));

        Assert.Null(next);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }
}
