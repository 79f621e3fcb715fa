using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Worker.Tests;

public sealed class StepPlacesTests
{
    private readonly FakeTimeProvider _time = new();

    private static BudgetSnapshot Budget(string platform, params LaneSnapshot[] lanes) =>
        new(platform, RateLimitScope.Fleet, 200, 1, DateTimeOffset.MinValue, DateTimeOffset.MinValue, 0, lanes);

    private static LaneSnapshot Lane(int index, double perSecond, int latencyMs, int shops = 0) =>
        new(index, 8, perSecond, 0, TimeSpan.FromMilliseconds(latencyMs), shops);

    [Fact]
    public void For_FastPlatform_KeepsTheConfiguredLeast() =>
        Assert.Equal(4, StepPlaces.For(4, [Budget("demo", Lane(0, 2, 1), Lane(1, 2, 1))]));

    [Fact]
    public void For_NothingCalledYet_KeepsTheConfiguredLeast() =>
        Assert.Equal(4, StepPlaces.For(4, [Budget("demo")]));

    [Fact]
    public void For_LaneRateTimesWindowPlusLatency_PlusOne()
    {
        // 200/s in 8 lanes: 25 calls a second per lane; at 300 ms a lane needs 25 × 1.3 = 32.5 steps, and one waiting.
        Assert.Equal(34, StepPlaces.For(4, [Budget("demo", Lane(0, 25, 300), Lane(1, 25, 250))]));
    }

    [Fact]
    public void For_ShopsCallingOnTheLaneUnderAPerShopLimit_EachGetAWaitingPlace()
    {
        // 30/s in 8 lanes: a lane of 4 calls a second at 0 ms keeps 4 under way; three shops' windows there, one waiting each.
        Assert.Equal(4 + 3, StepPlaces.For(4, [Budget("demo", Lane(0, 4, 0, shops: 3))]));
        Assert.Equal(4 + 1, StepPlaces.For(4, [Budget("demo", Lane(0, 4, 0, shops: 1))]));
    }

    [Fact]
    public void For_SeveralPlatforms_AddUp_BecauseAPartitionCarriesALaneOfEach() =>
        Assert.Equal(7 + 5, StepPlaces.For(4, [Budget("a", Lane(0, 4, 500)), Budget("b", Lane(3, 2, 900))]));

    [Fact]
    public void For_IsBoundedByTheMost() =>
        Assert.Equal(StepPlaces.Most, StepPlaces.For(4, [Budget("demo", Lane(0, 100, 900))]));

    [Fact]
    public void For_ALeastAboveTheMost_Wins() =>
        Assert.Equal(100, StepPlaces.For(100, [Budget("demo", Lane(0, 1, 1))]));

    [Fact]
    public void Current_FollowsTheBudgets_AtMostOncePerRefresh()
    {
        var latency = 0;
        var places = new StepPlaces(4, () => [Budget("demo", Lane(0, 25, latency))], _time);
        var before = places.Current;

        latency = 300;
        var unchanged = places.Current;
        _time.Advance(StepPlaces.RefreshEvery);

        Assert.Equal(26, before);
        Assert.Equal(26, unchanged);
        Assert.Equal(34, places.Current);
    }

    [Fact]
    public void PartitionSteps_TakeMoreSteps_WhenThePlacesGrow()
    {
        var most = 1;
        using var steps = new PartitionSteps(() => most, _time);
        steps.Add(new PartitionSteps.Step(
            new ConsumeResult<string, byte[]> { TopicPartitionOffset = new TopicPartitionOffset(new TopicPartition("actions", 0), 1) },
            new TaskCompletionSource().Task, 0, new CancellationTokenSource()));
        var full = !steps.CanTake;

        most = 2;

        Assert.True(full);
        Assert.True(steps.CanTake);
    }
}
