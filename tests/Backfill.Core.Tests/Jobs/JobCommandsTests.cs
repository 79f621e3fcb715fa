using Backfill.Core.Jobs;

namespace Backfill.Core.Tests.Jobs;

public sealed class JobCommandsTests
{
    private static JobRecord Job(JobState state) => new() { Id = "j", State = state };

    private static SliceRecord Slice(string day, SliceState state) => new() { Id = $"j/1/{day}", JobId = "j", State = state };

    [Theory]
    [InlineData(JobCommand.Pause, JobState.Running)]
    [InlineData(JobCommand.Resume, JobState.Paused)]
    [InlineData(JobCommand.Cancel, JobState.Running)]
    [InlineData(JobCommand.Cancel, JobState.Paused)]
    [InlineData(JobCommand.Retry, JobState.Running)]
    [InlineData(JobCommand.Retry, JobState.Paused)]
    [InlineData(JobCommand.Retry, JobState.Failed)]
    [InlineData(JobCommand.ChangeCadence, JobState.Running)]
    [InlineData(JobCommand.ChangeCadence, JobState.Paused)]
    public void Refusal_AllowedInState_IsNull(JobCommand command, JobState state) =>
        Assert.Null(JobCommands.Refusal(command, Job(state)));

    [Theory]
    [InlineData(JobCommand.Pause, JobState.Paused, "Job j is already paused; 'backfill resume j' continues it.")]
    [InlineData(JobCommand.Resume, JobState.Running, "Job j is running, not paused.")]
    [InlineData(JobCommand.Pause, JobState.Succeeded, "Job j is succeeded: it cannot be paused any more.")]
    [InlineData(JobCommand.Resume, JobState.Cancelled, "Job j is cancelled: it cannot be resumed any more.")]
    [InlineData(JobCommand.Cancel, JobState.Cancelled, "Job j is cancelled: it cannot be cancelled any more.")]
    [InlineData(JobCommand.Cancel, JobState.Failed, "Job j is failed: it cannot be cancelled any more.")]
    [InlineData(JobCommand.Retry, JobState.Cancelled, "Job j is cancelled, and a cancelled job stays cancelled; start a new job for its range instead.")]
    [InlineData(JobCommand.Retry, JobState.Succeeded, "Job j is succeeded: it cannot be retried any more.")]
    [InlineData(JobCommand.ChangeCadence, JobState.Failed, "Job j is failed: it cannot be changed any more.")]
    public void Refusal_NotAllowedInState_SaysWhy(JobCommand command, JobState state, string reason) =>
        Assert.Equal(reason, JobCommands.Refusal(command, Job(state)));

    [Fact]
    public void ChooseRetry_WithoutSlice_TakesEveryFailedSliceAndNoOther()
    {
        SliceRecord[] slices = [Slice("1", SliceState.Succeeded), Slice("2", SliceState.Failed), Slice("3", SliceState.Running), Slice("4", SliceState.Failed), Slice("5", SliceState.Cancelled)];

        var choice = JobCommands.ChooseRetry(Job(JobState.Running), slices, null);

        Assert.Null(choice.Refusal);
        Assert.Equal(["j/1/2", "j/1/4"], choice.Slices.Select(s => s.Id));
    }

    [Fact]
    public void ChooseRetry_FailedSliceGiven_TakesOnlyIt()
    {
        SliceRecord[] slices = [Slice("1", SliceState.Failed), Slice("2", SliceState.Failed)];

        var choice = JobCommands.ChooseRetry(Job(JobState.Failed), slices, "j/1/2");

        Assert.Equal(["j/1/2"], choice.Slices.Select(s => s.Id));
    }

    [Theory]
    [InlineData(SliceState.Succeeded, "Slice j/1/1 is succeeded; only failed slices are retried.")]
    [InlineData(SliceState.Running, "Slice j/1/1 is running; only failed slices are retried.")]
    [InlineData(SliceState.Pending, "Slice j/1/1 is pending; only failed slices are retried.")]
    public void ChooseRetry_SliceGivenThatDidNotFail_IsRefused(SliceState state, string reason)
    {
        var choice = JobCommands.ChooseRetry(Job(JobState.Failed), [Slice("1", state), Slice("2", SliceState.Failed)], "j/1/1");

        Assert.Empty(choice.Slices);
        Assert.False(choice.UnknownSlice);
        Assert.Equal(reason, choice.Refusal);
    }

    [Fact]
    public void ChooseRetry_UnknownSlice_IsNotFound()
    {
        var choice = JobCommands.ChooseRetry(Job(JobState.Failed), [Slice("1", SliceState.Failed)], "other/1/1");

        Assert.True(choice.UnknownSlice);
        Assert.Equal("Job j has no slice 'other/1/1'.", choice.Refusal);
    }

    [Fact]
    public void ChooseRetry_NothingFailed_IsRefused()
    {
        var choice = JobCommands.ChooseRetry(Job(JobState.Running), [Slice("1", SliceState.Succeeded), Slice("2", SliceState.Pending)], null);

        Assert.Empty(choice.Slices);
        Assert.Equal("Job j has no failed slices to retry.", choice.Refusal);
    }

    [Fact]
    public void ChooseRetry_CancelledJob_IsRefusedEvenWithFailedSlices()
    {
        var choice = JobCommands.ChooseRetry(Job(JobState.Cancelled), [Slice("1", SliceState.Failed)], null);

        Assert.Empty(choice.Slices);
        Assert.StartsWith("Job j is cancelled", choice.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void ChooseRetry_Forced_TakesFailedAndSucceededSlices_NotThoseInFlightPendingOrCancelled()
    {
        SliceRecord[] slices = [Slice("1", SliceState.Succeeded), Slice("2", SliceState.Failed), Slice("3", SliceState.Running), Slice("4", SliceState.Pending), Slice("5", SliceState.Cancelled), Slice("6", SliceState.Released)];

        var choice = JobCommands.ChooseRetry(Job(JobState.Running), slices, null, force: true);

        Assert.Null(choice.Refusal);
        Assert.Equal(["j/1/1", "j/1/2"], choice.Slices.Select(s => s.Id));
    }

    [Fact]
    public void ChooseRetry_Forced_ASucceededJobRunsAgain_OneSucceededSliceOrAll()
    {
        SliceRecord[] slices = [Slice("1", SliceState.Succeeded), Slice("2", SliceState.Succeeded)];

        Assert.Equal(["j/1/1", "j/1/2"], JobCommands.ChooseRetry(Job(JobState.Succeeded), slices, null, force: true).Slices.Select(s => s.Id));
        Assert.Equal(["j/1/2"], JobCommands.ChooseRetry(Job(JobState.Succeeded), slices, "j/1/2", force: true).Slices.Select(s => s.Id));
        Assert.Equal("Job j is succeeded: it cannot be retried any more.", JobCommands.ChooseRetry(Job(JobState.Succeeded), slices, null).Refusal);
    }

    [Fact]
    public void ChooseRetry_Forced_CancelledJobOrSliceInFlight_IsRefused()
    {
        Assert.StartsWith("Job j is cancelled", JobCommands.ChooseRetry(Job(JobState.Cancelled), [Slice("1", SliceState.Succeeded)], null, force: true).Refusal, StringComparison.Ordinal);
        Assert.Equal(
            "Slice j/1/1 is running; a forced retry re-runs failed and succeeded slices only.",
            JobCommands.ChooseRetry(Job(JobState.Running), [Slice("1", SliceState.Running)], "j/1/1", force: true).Refusal);
        Assert.Equal(
            "Job j has no failed or succeeded slices to re-run.",
            JobCommands.ChooseRetry(Job(JobState.Running), [Slice("1", SliceState.Pending)], null, force: true).Refusal);
    }
}
