using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Core.Tests.Release;

public sealed class ReleasePolicyTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 6, 1, 12, 0, 0, TimeSpan.Zero));

    private static JobRecord Job(int perRelease = 2) => new()
    {
        Id = "j",
        Platform = "shopee",
        State = JobState.Running,
        ReleaseEvery = TimeSpan.FromMinutes(5),
        SlicesPerRelease = perRelease,
    };

    [Fact]
    public void Decide_FirstTick_ReleasesOneBatch()
    {
        var decision = ReleasePolicy.Decide(Job(), new ReleaseLimits(30, 0, 8), _time.GetUtcNow());

        Assert.Equal(2, decision.Count);
    }

    [Fact]
    public void Decide_BeforeTheCadence_HoldsBack()
    {
        var job = Job();
        job.LastReleaseAt = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(4));

        var decision = ReleasePolicy.Decide(job, new ReleaseLimits(30, 0, 8), _time.GetUtcNow());

        Assert.Equal(0, decision.Count);
        Assert.Contains("next release due", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_TimerFiresSlightlyEarly_StillReleases()
    {
        var job = Job();
        job.LastReleaseAt = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(3));

        Assert.Equal(2, ReleasePolicy.Decide(job, new ReleaseLimits(30, 0, 8), _time.GetUtcNow()).Count);
    }

    [Fact]
    public void Decide_AfterLongDowntime_ReleasesOneBatchNotOnePerMissedPeriod()
    {
        var job = Job();
        job.LastReleaseAt = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromHours(10));

        var decision = ReleasePolicy.Decide(job, new ReleaseLimits(500, 0, 1000), _time.GetUtcNow());

        Assert.Equal(2, decision.Count);
    }

    [Fact]
    public void Decide_PlatformAtItsInFlightCap_HoldsBack()
    {
        var decision = ReleasePolicy.Decide(Job(), new ReleaseLimits(30, 8, 8), _time.GetUtcNow());

        Assert.Equal(0, decision.Count);
        Assert.Contains("cap 8", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Decide_RoomForFewerThanABatch_ReleasesOnlyTheRoom() =>
        Assert.Equal(1, ReleasePolicy.Decide(Job(perRelease: 5), new ReleaseLimits(30, 7, 8), _time.GetUtcNow()).Count);

    [Fact]
    public void Decide_FewerPendingThanABatch_ReleasesWhatIsLeft() =>
        Assert.Equal(1, ReleasePolicy.Decide(Job(perRelease: 5), new ReleaseLimits(1, 0, 8), _time.GetUtcNow()).Count);

    [Theory]
    [InlineData(JobState.Paused)]
    [InlineData(JobState.Cancelled)]
    [InlineData(JobState.Succeeded)]
    public void Decide_JobNotRunning_ReleasesNothing(JobState state)
    {
        var job = Job();
        job.State = state;

        Assert.Equal(0, ReleasePolicy.Decide(job, new ReleaseLimits(30, 0, 8), _time.GetUtcNow()).Count);
    }

    [Fact]
    public void Decide_ThirtyMinutesOfTicksEveryMinute_ReleaseOnlyEveryFiveMinutes()
    {
        var job = Job(perRelease: 1);
        var released = 0;
        for (var minute = 0; minute < 30; minute++)
        {
            var now = _time.GetUtcNow();
            var decision = ReleasePolicy.Decide(job, new ReleaseLimits(100, 0, 100), now);
            if (decision.Count > 0)
            {
                released += decision.Count;
                job.LastReleaseAt = now;
            }

            _time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(6, released);
    }
}
