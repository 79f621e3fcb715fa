using Backfill.Core.Jobs;

namespace Backfill.Core.Tests.Jobs;

public sealed class JobStateMachineTests
{
    private static readonly DateTimeOffset At = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(JobState.Running, JobState.Paused)]
    [InlineData(JobState.Paused, JobState.Running)]
    [InlineData(JobState.Running, JobState.Cancelled)]
    [InlineData(JobState.Paused, JobState.Cancelled)]
    [InlineData(JobState.Running, JobState.Succeeded)]
    [InlineData(JobState.Paused, JobState.Failed)]
    [InlineData(JobState.Failed, JobState.Running)]
    public void CanMove_Allowed(JobState from, JobState to) => Assert.True(JobStateMachine.CanMove(from, to));

    [Theory]
    [InlineData(JobState.Running, JobState.Running)]
    [InlineData(JobState.Paused, JobState.Paused)]
    [InlineData(JobState.Cancelled, JobState.Running)]
    [InlineData(JobState.Cancelled, JobState.Paused)]
    [InlineData(JobState.Succeeded, JobState.Running)]
    [InlineData(JobState.Succeeded, JobState.Cancelled)]
    [InlineData(JobState.Failed, JobState.Paused)]
    [InlineData(JobState.Failed, JobState.Cancelled)]
    public void CanMove_NotAllowed(JobState from, JobState to) => Assert.False(JobStateMachine.CanMove(from, to));

    [Fact]
    public void MoveTo_FailedJobRetried_RunsAgainWithoutAFinishTime()
    {
        var job = new JobRecord { Id = "j", State = JobState.Running };
        job.MoveTo(JobState.Failed, At, "a slice failed");

        var transition = job.MoveTo(JobState.Running, At.AddHours(1), "retried");

        Assert.Equal(JobState.Running, job.State);
        Assert.Null(job.FinishedAt);
        Assert.Equal(("Failed", "Running", "retried"), (transition.From, transition.To, transition.Reason));
    }

    [Fact]
    public void MoveTo_Cancelled_IsFinal()
    {
        var job = new JobRecord { Id = "j", State = JobState.Paused };

        job.MoveTo(JobState.Cancelled, At, "operator");

        Assert.Equal(At, job.FinishedAt);
        Assert.Throws<InvalidTransitionException>(() => job.MoveTo(JobState.Running, At, "again"));
    }

    [Fact]
    public void IsActive_OnlyRunningAndPaused() =>
        Assert.Equal([JobState.Running, JobState.Paused], Enum.GetValues<JobState>().Where(s => s.IsActive()));

    [Fact]
    public void CanForce_OnlyASucceededJobRunsAgainBesidesTheUsualMoves()
    {
        Assert.True(JobStateMachine.CanForce(JobState.Succeeded, JobState.Running));
        Assert.True(JobStateMachine.CanForce(JobState.Failed, JobState.Running));
        Assert.False(JobStateMachine.CanForce(JobState.Cancelled, JobState.Running));
        Assert.False(JobStateMachine.CanForce(JobState.Succeeded, JobState.Cancelled));
        Assert.Throws<InvalidTransitionException>(() => new JobRecord { Id = "j", State = JobState.Succeeded }.MoveTo(JobState.Running, At, "retried"));
    }

    [Fact]
    public void MoveTo_Forced_SucceededJobRunsAgainWithoutAFinishTime()
    {
        var job = new JobRecord { Id = "j", State = JobState.Running };
        job.MoveTo(JobState.Succeeded, At, "every slice is finished");

        job.MoveTo(JobState.Running, At.AddHours(1), "re-run", force: true);

        Assert.Equal(JobState.Running, job.State);
        Assert.Null(job.FinishedAt);
    }
}
