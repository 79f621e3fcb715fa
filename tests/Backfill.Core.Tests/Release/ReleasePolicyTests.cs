using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Core.Tests.Release;

public sealed class ReleasePolicyTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero));

    private static JobRecord Job(int perRelease = 2, int shops = 1) => new()
    {
        Id = "j",
        Platform = "shopee",
        Shops = [.. Enumerable.Range(1, shops).Select(s => $"{s}")],
        State = JobState.Running,
        ReleaseEvery = TimeSpan.FromMinutes(5),
        SlicesPerRelease = perRelease,
    };

    private static SliceRecord Slice(string shop, int day) => new() { Id = $"j/{shop}/{day}", JobId = "j", Shop = shop, FirstDay = new DateOnly(2024, 5, day) };

    [Fact]
    public void Wants_FirstTick_OneBatchPerShop()
    {
        var want = ReleasePolicy.Wants(Job(perRelease: 2, shops: 100), 3_000, _time.GetUtcNow());

        Assert.Equal(200, want.Count);
        Assert.True(want.NewPeriod);
    }

    [Fact]
    public void Wants_BeforeThePeriodEnds_HoldsBackOnceTheBatchIsOut()
    {
        var job = Job();
        var now = _time.GetUtcNow();
        ReleasePolicy.Released(job, ReleasePolicy.Wants(job, 30, now), 2, now);
        _time.Advance(TimeSpan.FromMinutes(4));

        var want = ReleasePolicy.Wants(job, 30, _time.GetUtcNow());

        Assert.Equal(0, want.Count);
        Assert.Contains("next release due", want.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Wants_BatchCutByRoom_TheRestGoesOutInTheSamePeriodNotAsASecondBatch()
    {
        var job = Job(perRelease: 1, shops: 100);
        var now = _time.GetUtcNow();
        ReleasePolicy.Released(job, ReleasePolicy.Wants(job, 3_000, now), 32, now);
        _time.Advance(TimeSpan.FromSeconds(10));

        var rest = ReleasePolicy.Wants(job, 2_968, _time.GetUtcNow());
        Assert.Equal(68, rest.Count);
        Assert.False(rest.NewPeriod);
        ReleasePolicy.Released(job, rest, 68, _time.GetUtcNow());

        Assert.Equal(0, ReleasePolicy.Wants(job, 2_900, _time.GetUtcNow()).Count);
        Assert.Equal(now, job.PeriodStartedAt);
    }

    [Fact]
    public void Wants_TimerFiresSlightlyEarly_StillANewPeriod()
    {
        var job = Job();
        var now = _time.GetUtcNow();
        ReleasePolicy.Released(job, ReleasePolicy.Wants(job, 30, now), 2, now);
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(3));

        Assert.Equal(2, ReleasePolicy.Wants(job, 30, _time.GetUtcNow()).Count);
    }

    [Fact]
    public void Wants_AfterLongDowntime_OneBatchNotOnePerMissedPeriod()
    {
        var job = Job();
        var now = _time.GetUtcNow();
        ReleasePolicy.Released(job, ReleasePolicy.Wants(job, 500, now), 2, now);
        _time.Advance(TimeSpan.FromHours(10));

        Assert.Equal(2, ReleasePolicy.Wants(job, 500, _time.GetUtcNow()).Count);
    }

    [Fact]
    public void Wants_FewerPendingThanABatch_WhatIsLeft() =>
        Assert.Equal(1, ReleasePolicy.Wants(Job(perRelease: 5), 1, _time.GetUtcNow()).Count);

    [Fact]
    public void Wants_Auto_EveryPendingSliceAtEveryTick()
    {
        var job = Job();
        job.ReleaseEvery = ReleaseCadence.Auto;
        ReleasePolicy.Released(job, ReleasePolicy.Wants(job, 500, _time.GetUtcNow()), 32, _time.GetUtcNow());

        Assert.Equal(468, ReleasePolicy.Wants(job, 468, _time.GetUtcNow()).Count);
    }

    [Theory]
    [InlineData(JobState.Paused)]
    [InlineData(JobState.Cancelled)]
    [InlineData(JobState.Succeeded)]
    public void Wants_JobNotRunning_Nothing(JobState state)
    {
        var job = Job();
        job.State = state;

        Assert.Equal(0, ReleasePolicy.Wants(job, 30, _time.GetUtcNow()).Count);
    }

    [Fact]
    public void Wants_ThirtyMinutesOfTicksEveryMinute_OneSliceOfEachShopEveryFiveMinutes()
    {
        var job = Job(perRelease: 1, shops: 3);
        var released = 0;
        for (var minute = 0; minute < 30; minute++)
        {
            var now = _time.GetUtcNow();
            var want = ReleasePolicy.Wants(job, 100, now);
            ReleasePolicy.Released(job, want, want.Count, now);
            released += want.Count;
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(6 * 3, released);
    }

    [Fact]
    public void PerShop_WithAPeriod_AtMostSlicesPerReleaseOfEachShop()
    {
        var candidates = new[] { Slice("1", 1), Slice("2", 1), Slice("1", 2), Slice("2", 2), Slice("1", 3) };

        var chosen = ReleasePolicy.PerShop(Job(perRelease: 1, shops: 2), candidates);

        Assert.Equal(["j/1/1", "j/2/1"], chosen.Select(s => s.Id));
    }

    [Fact]
    public void PerShop_Auto_EveryCandidate()
    {
        var job = Job(perRelease: 1, shops: 2);
        job.ReleaseEvery = ReleaseCadence.Auto;
        var candidates = new[] { Slice("1", 1), Slice("1", 2), Slice("1", 3) };

        Assert.Equal(3, ReleasePolicy.PerShop(job, candidates).Count);
    }
}
