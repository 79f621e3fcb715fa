using Backfill.Server.Jobs;

namespace Backfill.Server.Tests.Jobs;

public sealed class JobEstimateTests
{
    private static readonly DateOnly May1 = new(2024, 5, 1);

    [Fact]
    public void Of_NoHistory_AssumesTheDefaultAndTheReleaseBoundDecides()
    {
        // 2 shops × 7 days, one slice every 5 minutes; 10 calls per shop-day at 20 calls per second.
        var estimate = JobEstimate.Of("demo", ["a", "b"], May1, May1.AddDays(7), 7, TimeSpan.FromMinutes(5), 1, 20, _ => null);

        Assert.Equal(14, estimate.Slices);
        Assert.Equal(140, estimate.ExpectedCalls);
        Assert.Equal(14 * 300, estimate.ReleaseBoundSeconds);
        Assert.Equal(7, estimate.RateBoundSeconds);
        Assert.Equal(4200, estimate.ExpectedSeconds);
        Assert.Equal(JobEstimate.Default, estimate.Basis);
        Assert.All(estimate.PerShop, s => Assert.Equal((7, JobEstimate.DefaultCallsPerDay, JobEstimate.Default), (s.Slices, s.CallsPerDay, s.Basis)));
    }

    [Fact]
    public void Of_History_UsesEachShopsCallsPerDay_AndTheRateBoundDecidesWhenReleaseIsFast()
    {
        var estimate = JobEstimate.Of("demo", ["a"], May1, May1.AddDays(30), 30, TimeSpan.FromSeconds(1), 5, 2.5, _ => 123.456);

        Assert.Equal(3704, estimate.ExpectedCalls);
        Assert.Equal(123.46, Assert.Single(estimate.PerShop).CallsPerDay);
        Assert.Equal(6, estimate.ReleaseBoundSeconds);
        Assert.Equal(1481.6, estimate.RateBoundSeconds);
        Assert.Equal(1481.6, estimate.ExpectedSeconds);
        Assert.Equal(JobEstimate.History, estimate.Basis);
    }

    [Fact]
    public void Of_SomeShopsWithoutHistory_IsBasedOnTheDefault()
    {
        var estimate = JobEstimate.Of("demo", ["a", "b"], May1, May1.AddDays(3), 3, TimeSpan.FromMinutes(1), 4, 10, shop => shop == "a" ? 40 : null);

        Assert.Equal(120 + 30, estimate.ExpectedCalls);
        Assert.Equal([JobEstimate.History, JobEstimate.Default], estimate.PerShop.Select(s => s.Basis));
        Assert.Equal(JobEstimate.Default, estimate.Basis);

        // ⌈6 slices ÷ 4 per release⌉ = 2 releases.
        Assert.Equal(120, estimate.ReleaseBoundSeconds);
    }
}
