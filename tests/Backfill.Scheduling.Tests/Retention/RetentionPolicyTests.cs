using Backfill.Core.Jobs;
using Backfill.Scheduling.Retention;
using Backfill.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests.Retention;

public sealed class RetentionPolicyTests
{
    private static readonly TimeSpan Keep = TimeSpan.FromDays(30);
    private static readonly JobTotals Kept = new(new SliceCounts(0, 0, 0, 3, 0, 0), 10);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void IsDue_AFinishedJob_FromTheMomentItFinishedKeepAgo()
    {
        var job = Finished("j", _time.GetUtcNow());

        _time.Advance(Keep - TimeSpan.FromMilliseconds(1));
        Assert.False(RetentionPolicy.IsDue(job, Kept, _time.GetUtcNow(), Keep));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(RetentionPolicy.IsDue(job, Kept, _time.GetUtcNow(), Keep));
    }

    [Theory]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Paused)]
    public void IsDue_AJobStillActive_Never(JobState state)
    {
        var job = new JobRecord { Id = "j", State = state, CreatedAt = _time.GetUtcNow() };
        _time.Advance(Keep * 10);

        Assert.False(RetentionPolicy.IsDue(job, Kept, _time.GetUtcNow(), Keep));
    }

    [Fact]
    public void IsDue_AJobWhoseSlicesAreAllDeleted_NotAgain_ButOneCutShortIs()
    {
        var job = Finished("j", _time.GetUtcNow());
        _time.Advance(Keep * 2);
        var now = _time.GetUtcNow();

        Assert.False(RetentionPolicy.IsDue(job, Kept with { PrunedAt = now, Pruned = true }, now, Keep));
        Assert.True(RetentionPolicy.IsDue(job, Kept with { PrunedAt = now, Pruned = false }, now, Keep));
    }

    [Fact]
    public void IsDue_KeepZero_KeepsForEver()
    {
        var job = Finished("j", _time.GetUtcNow());
        _time.Advance(TimeSpan.FromDays(3650));

        Assert.True(RetentionPolicy.KeepsForEver(TimeSpan.Zero));
        Assert.False(RetentionPolicy.IsDue(job, Kept, _time.GetUtcNow(), TimeSpan.Zero));
    }

    [Fact]
    public void Due_TheLongestFinishedFirst_OnlyThoseDue()
    {
        var start = _time.GetUtcNow();
        var jobs = new[] { Finished("b", start.AddDays(2)), Finished("a", start.AddDays(1)), Finished("c", start.AddDays(20)), new JobRecord { Id = "d", State = JobState.Running } };
        var totals = jobs.ToDictionary(j => j.Id, _ => Kept, StringComparer.Ordinal);
        _time.Advance(Keep + TimeSpan.FromDays(5));

        Assert.Equal(["a", "b"], RetentionPolicy.Due(jobs, totals, _time.GetUtcNow(), Keep).Select(j => j.Id));
    }

    [Theory]
    [InlineData("00:00:00", true)]
    [InlineData("1.00:00:00", true)]
    [InlineData("30.00:00:00", true)]
    [InlineData("12:00:00", false)]
    [InlineData("-1.00:00:00", false)]
    [InlineData("-00:00:00.001", false)]
    public void Invalid_ZeroOrADayAtLeast_AreValid_ElseTheMessageNamesTheKey(string keep, bool valid)
    {
        var error = RetentionPolicy.Invalid(TimeSpan.Parse(keep, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(valid, error is null);
        if (error is not null)
        {
            Assert.StartsWith("Backfill:KeepFinishedJobs must be at least 1.00:00:00", error, StringComparison.Ordinal);
            Assert.Contains("00:00:00 to keep them for ever", error, StringComparison.Ordinal);
        }
    }

    private static JobRecord Finished(string id, DateTimeOffset at) => new() { Id = id, State = JobState.Succeeded, FinishedAt = at };
}
