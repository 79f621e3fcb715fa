using Backfill.Core.Data;
using Backfill.Core.Release;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Quotas;
using Backfill.Server.Jobs;

namespace Backfill.Server.Tests.Jobs;

public sealed class JobEstimateTests
{
    private static readonly DateOnly May1 = new(2024, 5, 1);

    private static double Default(Datasets d) => DefaultCalls.PerDay(d, sliceDays: 1, pageSize: 100);

    [Fact]
    public void Of_NoHistory_AssumesTheDefaultAndTheReleaseBoundDecides()
    {
        // 2 shops × 7 days, one slice of each shop every 5 minutes; orders: 3 list + 6 detail calls per shop-day, at 20 calls per second.
        var estimate = JobEstimate.Of("demo", ["a", "b"], May1, May1.AddDays(7), 7, TimeSpan.FromMinutes(5), 1, 20, Datasets.Orders, (_, _) => null, Default);

        Assert.Equal(14, estimate.Slices);
        Assert.Equal(126, estimate.ExpectedCalls);
        Assert.Equal(7 * 300, estimate.ReleaseBoundSeconds);
        Assert.Equal(6.3, estimate.RateBoundSeconds);
        Assert.Equal(2100, estimate.ExpectedSeconds);
        Assert.Equal(JobEstimate.Default, estimate.Basis);
        Assert.All(estimate.PerShop, s => Assert.Equal((7, 9.0, JobEstimate.Default), (s.Slices, s.CallsPerDay, s.Basis)));
        Assert.Equal([new DataEstimate("orders", 126, JobEstimate.Default)], estimate.PerData);
    }

    [Fact]
    public void Of_History_UsesEachShopsCallsPerDay_AndTheRateBoundDecidesWhenReleaseIsFast()
    {
        var estimate = JobEstimate.Of("demo", ["a"], May1, May1.AddDays(30), 30, TimeSpan.FromSeconds(1), 5, 2.5, Datasets.Orders, (_, _) => 123.456, Default);

        Assert.Equal(3704, estimate.ExpectedCalls);
        Assert.Equal(123.46, Assert.Single(estimate.PerShop).CallsPerDay);
        Assert.Equal(6, estimate.ReleaseBoundSeconds);
        Assert.Equal(1481.6, estimate.RateBoundSeconds);
        Assert.Equal(1481.6, estimate.ExpectedSeconds);
        Assert.Equal(JobEstimate.History, estimate.Basis);
    }

    [Fact]
    public void Of_APerShopLimit_BoundsTheJobByItsBusiestShop()
    {
        // Shop a makes 100 calls a day, b 10: 30 days at 2 calls per second per shop is 1,500 s for a, though the
        // platform's 50/s would take the 3,300 calls in 66 s.
        var estimate = JobEstimate.Of("demo", ["a", "b"], May1, May1.AddDays(30), 30, ReleaseCadence.Auto, 1, 50, Datasets.Orders, (shop, _) => shop == "a" ? 100 : 10, Default, shopCallsPerSecond: 2);

        Assert.Equal((3300, 66, 1500, 1500), (estimate.ExpectedCalls, estimate.RateBoundSeconds, estimate.ShopBoundSeconds, estimate.ExpectedSeconds));
        Assert.Equal(0, JobEstimate.Of("demo", ["a"], May1, May1.AddDays(30), 30, ReleaseCadence.Auto, 1, 50, Datasets.Orders, (_, _) => 100, Default).ShopBoundSeconds);
    }

    [Fact]
    public void Of_Quotas_CountThePeriodsEachNeedsAtItsUsableShare_AndTheLongestSetsTheDuration()
    {
        // 126 calls (as above); 100 per minute at a share of 0.8 leaves 80 a minute: 2 minutes, the second starting a minute
        // after the first at the earliest. 1,000 a day (800 usable) takes them in one day.
        var quotas = QuotaPlan.For(new RateLimitOptions
        {
            Quotas = [new QuotaOptions { Calls = 100, Period = TimeSpan.FromMinutes(1) }, new QuotaOptions { Calls = 1_000 }],
        }).Shapes;

        var estimate = JobEstimate.Of("demo", ["a", "b"], May1, May1.AddDays(7), 7, TimeSpan.FromSeconds(1), 14, 20, Datasets.Orders, (_, _) => null, Default, quotas);

        Assert.Equal(126, estimate.ExpectedCalls);
        Assert.Equal(
            [new QuotaEstimate(100, 80, TimeSpan.FromMinutes(1), 2, 60), new QuotaEstimate(1_000, 800, TimeSpan.FromDays(1), 1, 0)],
            estimate.Quotas);
        Assert.Equal(2, estimate.QuotaPeriods);
        Assert.Equal(60, estimate.QuotaBoundSeconds);
        Assert.Equal(60, estimate.ExpectedSeconds);
    }

    [Fact]
    public void Of_NoQuotas_OnePeriodAndNoQuotaBound()
    {
        var estimate = JobEstimate.Of("demo", ["a"], May1, May1.AddDays(1), 1, TimeSpan.FromSeconds(1), 1, 20, Datasets.Orders, (_, _) => null, Default);

        Assert.Empty(estimate.Quotas);
        Assert.Equal((1, 0.0), (estimate.QuotaPeriods, estimate.QuotaBoundSeconds));
    }

    [Fact]
    public void Of_SomeShopsWithoutHistory_IsBasedOnTheDefault()
    {
        var estimate = JobEstimate.Of("demo", ["a", "b"], May1, May1.AddDays(3), 3, TimeSpan.FromMinutes(1), 4, 10, Datasets.Orders, (shop, _) => shop == "a" ? 40 : null, Default);

        Assert.Equal(120 + 27, estimate.ExpectedCalls);
        Assert.Equal([JobEstimate.History, JobEstimate.Default], estimate.PerShop.Select(s => s.Basis));
        Assert.Equal(JobEstimate.Default, estimate.Basis);

        // ⌈3 slices of a shop ÷ 4 per release⌉ = 1 release: every shop releases its own each period.
        Assert.Equal(60, estimate.ReleaseBoundSeconds);
        Assert.Equal(0, JobEstimate.Of("demo", ["a", "b"], May1, May1.AddDays(3), 3, TimeSpan.Zero, 1, 10, Datasets.Orders, (_, _) => null, Default).ReleaseBoundSeconds);
    }

    [Fact]
    public void Of_EveryDataset_CountsEachOnesCalls_NamesTheDominantOne_AndTheRateBoundUsesThemAll()
    {
        // Shop a has history of orders and finance, none of returns.
        double? History(string shop, Datasets d) => shop == "a" ? d switch { Datasets.Orders => 12, Datasets.Finance => 250, _ => null } : null;

        var estimate = JobEstimate.Of("demo", ["a", "b"], May1, May1.AddDays(10), 10, TimeSpan.FromSeconds(1), 20, 10, Datasets.Orders | Datasets.Finance | Datasets.Returns, History, Default);

        Assert.Equal(["orders", "finance", "returns"], estimate.Data);
        Assert.Equal(
            [new DataEstimate("orders", 120 + 90, JobEstimate.Default), new DataEstimate("finance", 2500 + 3000, JobEstimate.Default), new DataEstimate("returns", 30 + 30, JobEstimate.Default)],
            estimate.PerData);
        Assert.Equal(5770, estimate.ExpectedCalls);
        Assert.Equal("finance", estimate.Dominant);
        Assert.Equal(577, estimate.RateBoundSeconds);
        Assert.Equal(577, estimate.ExpectedSeconds);
        Assert.Equal([265.0, 312.0], estimate.PerShop.Select(s => s.CallsPerDay));
    }

    [Theory]
    [InlineData(Datasets.Orders, 1, 100, 9)]
    [InlineData(Datasets.Finance, 1, 100, 300)]
    [InlineData(Datasets.Returns, 1, 100, 3)]
    [InlineData(Datasets.Orders, 3, 100, 27)]
    [InlineData(Datasets.Orders, 1, 1000, 7)]
    [InlineData(Datasets.Returns, 1, 1000, 1)]
    public void DefaultCalls_PerSlice_ArePagesAndDetailBatches_EscrowsPerOrder_ReturnPages(Datasets one, int sliceDays, int pageSize, long calls) =>
        Assert.Equal(calls, DefaultCalls.PerSlice(one, sliceDays, pageSize));

    [Fact]
    public void DefaultCalls_ASliceOfNoOrders_StillListsOnce() =>
        Assert.Equal((1L, 0L, 1L), (DefaultCalls.PerSlice(Datasets.Orders, 1, 100, ordersPerDay: 0), DefaultCalls.PerSlice(Datasets.Finance, 1, 100, ordersPerDay: 0), DefaultCalls.PerSlice(Datasets.Returns, 1, 100, ordersPerDay: 0)));
}
