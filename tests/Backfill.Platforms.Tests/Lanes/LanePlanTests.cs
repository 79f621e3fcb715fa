using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Tests.Lanes;

public sealed class LanePlanTests
{
    private static LanePlan Plan(double perSecond, int? lanes = null, double? perShop = null, double margin = 0, bool tokens = false)
    {
        var options = new RateLimitOptions { PermitsPerSecond = perSecond, Lanes = lanes, PerShopPermitsPerSecond = perShop, SafetyMargin = margin };
        options.ReserveTokenCall(tokens);
        return LanePlan.For(options);
    }

    [Fact]
    public void SlicesToKeepBusy_IsTheRateTimesWindowPlusLatency_PlusALanesWorth()
    {
        // 200/s in 8 lanes at 300 ms: 200 · 1.3 = 260 under way or waiting for their window, one more per lane.
        Assert.Equal(260 + 8, Plan(200, lanes: 8).SlicesToKeepBusy(TimeSpan.FromMilliseconds(300)));
        Assert.Equal(20 + 8, Plan(20, lanes: 8).SlicesToKeepBusy(TimeSpan.Zero));
    }

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
    public void AShopsLimit_IsSplitOverMinLanesAndShopCalls_LanesFromItsOwn_WithSharesThatAddUpToIt()
    {
        for (var perSecond = 1; perSecond <= 40; perSecond++)
        {
            for (var perShop = 1; perShop <= 45; perShop += 4)
            {
                var plan = Plan(perSecond, perShop: perShop);
                foreach (var shop in new[] { "10001", "10002", "20777", "seller.one" })
                {
                    var lanes = plan.LanesOf(shop);
                    var shares = Enumerable.Range(0, lanes.Count).Select(plan.ShopShare).ToList();
                    var what = $"{perSecond}/s, shop {perShop}/s, shop {shop}: lanes {string.Join(",", lanes)} shares {string.Join(",", shares)}";

                    Assert.Equal(Math.Min(plan.Lanes, perShop), plan.ShopLanes);
                    Assert.Equal(plan.ShopLanes, lanes.Count);
                    // Consecutive lanes from the shop's own, each once: (LaneOf + i) mod Lanes for i < k.
                    Assert.Equal(
                        Enumerable.Range(0, plan.ShopLanes).Select(i => (plan.LaneOf(shop) + i) % plan.Lanes).Order(),
                        lanes.Order());
                    Assert.Equal(perShop, shares.Sum());
                    Assert.True(shares.Max() - shares.Min() <= 1, what);
                    Assert.All(shares, share => Assert.True(share >= 1, what));
                    Assert.Equal(Enumerable.Range(0, lanes.Count), lanes.Select(lane => plan.RankOf(shop, new LaneRef(lane, plan.Lanes))!.Value));
                }
            }
        }
    }

    [Fact]
    public void AShopsExtraCalls_GoToTheLanesWithTheLargerShare_SoOneShopGetsItsWholeLimitWhenTheLanesCarryIt()
    {
        // 10 calls in 8 lanes: lanes 0 and 1 carry 2, the others 1. A shop of 10/s gets 2 where the lane has 2, whatever its first lane.
        for (var shop = 10_000; shop < 10_040; shop++)
        {
            var plan = Plan(10, perShop: 10);
            var id = shop.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var lanes = plan.LanesOf(id);

            var usable = lanes.Select((lane, rank) => Math.Min(plan.Share(lane, plan.Lanes), plan.ShopShare(rank))).Sum();

            Assert.Equal(10, usable);
        }
    }

    [Fact]
    public void RankOf_ALaneOutsideTheShopsLanes_OrUnderAnotherLaneCount_IsNull()
    {
        var plan = Plan(20, lanes: 8, perShop: 3);
        var lanes = plan.LanesOf("10001");
        var outside = Enumerable.Range(0, 8).First(lane => !lanes.Contains(lane));

        Assert.Equal(3, lanes.Count);
        Assert.Null(plan.RankOf("10001", new LaneRef(outside, 8)));
        Assert.Null(plan.RankOf("10001", new LaneRef(lanes[0], 4)));
        Assert.Empty(Plan(20).LanesOf("10001"));
        Assert.Null(Plan(20).RankOf("10001", new LaneRef(0, 8)));
    }

    [Fact]
    public void TryRetarget_KeepsTheShopsLanesAndShares()
    {
        var plan = Plan(30, perShop: 10);

        Assert.True(plan.TryRetarget(12, out var next, out _));

        Assert.Equal(plan.ShopLanes, next.ShopLanes);
        Assert.Equal(plan.LanesOf("10001"), next.LanesOf("10001"));
        Assert.Equal(Enumerable.Range(0, plan.ShopLanes).Select(plan.ShopShare), Enumerable.Range(0, next.ShopLanes).Select(next.ShopShare));
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

    [Fact]
    public void TryRetarget_ASafetyMarginSetWhileRunning_KeepsTheLanesAndSplitsWhatIsLeft_AndNullGoesBack()
    {
        var plan = Plan(20, lanes: 8, margin: 0.1);

        Assert.True(plan.TryRetarget(null, 0.2, out var next, out _));

        Assert.Equal((0.2, 0.1, 16, 8), (next.SafetyMargin, next.ConfiguredSafetyMargin, next.Calls, next.Lanes));
        Assert.Equal(16, Enumerable.Range(0, 8).Sum(l => next.Share(l, 8)));
        Assert.True(next.TryRetarget(10, null, out var back, out _));
        Assert.Equal((0.1, 9), (back.SafetyMargin, back.Calls));
    }

    [Theory]
    [InlineData(20, 8, null, 0.65, "the highest margin at 20/s is 0.6")]
    [InlineData(20, 8, null, 1.0, "at least 0 and less than 1")]
    [InlineData(20, 8, null, -0.1, "at least 0 and less than 1")]
    [InlineData(0.5, 1, null, 0.2, "counts calls over 2.5 s instead of 2 s")]
    [InlineData(30, 8, 10.0, 0.25, "leaves a shop 7 calls per 1 s, fewer than the 8 lanes its limit is split over; the highest margin is 0.2")]
    [InlineData(30, 8, 0.5, 0.2, "counts a shop's calls over 2.5 s instead of 2 s")]
    public void TryRetarget_AMarginTheLanesOrAShopsLanesCannotKeep_IsRefusedWithTheReason(double configured, int lanes, double? perShop, double margin, string reason)
    {
        Assert.False(Plan(configured, lanes, perShop).TryRetarget(null, margin, out var next, out var problem));

        Assert.Null(next);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRetarget_AMarginAShopsLanesCanKeep_LowersEachShopShare_NeverRaisingOne()
    {
        var plan = Plan(30, lanes: 8, perShop: 10);

        Assert.True(plan.TryRetarget(null, 0.2, out var next, out _));

        Assert.Equal((8, 8), (next.ShopCalls, next.ShopLanes));
        Assert.All(Enumerable.Range(0, 8), rank => Assert.InRange(next.ShopShare(rank), 1, plan.ShopShare(rank)));
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

    [Fact]
    public void HandOverHold_CountedOnArrival_IsOneJitterLonger()
    {
        var plan = LanePlan.For(new RateLimitOptions { PermitsPerSecond = 20, Counting = RateLimitCounting.Arrival, ArrivalJitter = TimeSpan.FromMilliseconds(80) });

        Assert.Equal(TimeSpan.FromMilliseconds(1080), plan.HandOverHold);
    }
}
