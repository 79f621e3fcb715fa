using Backfill.Core.Jobs;

namespace Backfill.Core.Tests.Jobs;

public sealed class SliceStateMachineTests
{
    private static readonly DateTimeOffset At = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void MoveTo_HappyPath_RecordsEveryTransition()
    {
        var slice = new SliceRecord { Id = "j/1/20240101" };

        var transitions = new[]
        {
            slice.MoveTo(SliceState.Released, At, "release"),
            slice.MoveTo(SliceState.Running, At.AddSeconds(1), "step 0 started"),
            slice.MoveTo(SliceState.Succeeded, At.AddSeconds(2), "last page"),
        };

        Assert.Equal(SliceState.Succeeded, slice.State);
        Assert.Equal(["Pending→Released", "Released→Running", "Running→Succeeded"], transitions.Select(t => $"{t.From}→{t.To}"));
        Assert.All(transitions, t => Assert.Equal("j/1/20240101", t.Subject));
        Assert.Equal(At.AddSeconds(2), slice.UpdatedAt);
    }

    [Theory]
    [InlineData(SliceState.Pending, SliceState.Running)]
    [InlineData(SliceState.Pending, SliceState.Succeeded)]
    [InlineData(SliceState.Succeeded, SliceState.Pending)]
    [InlineData(SliceState.Succeeded, SliceState.Failed)]
    [InlineData(SliceState.Cancelled, SliceState.Running)]
    [InlineData(SliceState.Running, SliceState.Released)]
    public void MoveTo_NotAllowed_Throws(SliceState from, SliceState to)
    {
        var slice = new SliceRecord { Id = "s", State = from };

        Assert.Throws<InvalidTransitionException>(() => slice.MoveTo(to, At, "test"));
        Assert.Equal(from, slice.State);
    }

    [Fact]
    public void MoveTo_FailedSliceRetried_GoesBackToPending() =>
        Assert.True(SliceStateMachine.CanMove(SliceState.Failed, SliceState.Pending));

    [Theory]
    [InlineData(SliceState.Released)]
    [InlineData(SliceState.Running)]
    public void MoveTo_SliceInFlightThatNothingIsHeardOf_GoesBackToPending(SliceState from) =>
        Assert.True(SliceStateMachine.CanMove(from, SliceState.Pending));

    [Fact]
    public void Job_FinishedJob_CannotMoveAgain()
    {
        var job = new JobRecord { Id = "j", State = JobState.Running };

        job.MoveTo(JobState.Succeeded, At, "all slices succeeded");

        Assert.Equal(At, job.FinishedAt);
        Assert.Throws<InvalidTransitionException>(() => job.MoveTo(JobState.Failed, At, "again"));
    }

    [Fact]
    public void Outcome_AnyFailed_IsFailed_AllSucceeded_IsSucceeded_WorkLeft_IsNull()
    {
        Assert.Equal(JobState.Failed, SliceCounts.From([SliceState.Succeeded, SliceState.Failed]).Outcome());
        Assert.Equal(JobState.Succeeded, SliceCounts.From([SliceState.Succeeded, SliceState.Succeeded]).Outcome());
        Assert.Null(SliceCounts.From([SliceState.Succeeded, SliceState.Running]).Outcome());
        Assert.Null(SliceCounts.From([]).Outcome());
    }

    [Fact]
    public void CanForce_OnlyASucceededSliceGoesBackToPendingBesidesTheUsualMoves()
    {
        Assert.True(SliceStateMachine.CanForce(SliceState.Succeeded, SliceState.Pending));
        Assert.True(SliceStateMachine.CanForce(SliceState.Failed, SliceState.Pending));
        Assert.False(SliceStateMachine.CanForce(SliceState.Cancelled, SliceState.Pending));
        Assert.False(SliceStateMachine.CanForce(SliceState.Succeeded, SliceState.Failed));
        Assert.False(SliceStateMachine.CanForce(SliceState.Cancelled, SliceState.Running));
        var slice = new SliceRecord { Id = "s", State = SliceState.Succeeded };
        Assert.Throws<InvalidTransitionException>(() => slice.MoveTo(SliceState.Pending, At, "retried"));
        Assert.Equal(("Succeeded", "Pending"), (slice.MoveTo(SliceState.Pending, At, "re-run", force: true) is var t ? (t.From, t.To) : default));
    }
}
