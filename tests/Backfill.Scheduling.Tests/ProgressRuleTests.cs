using Backfill.Core.Jobs;
using Backfill.Messaging.Contracts;

namespace Backfill.Scheduling.Tests;

public sealed class ProgressRuleTests
{
    private static SliceRecord Slice(SliceState state, int attempt = 2, int step = 1) =>
        new() { Id = "j/1/20240101", JobId = "j", State = state, Attempt = attempt, Step = step };

    private static ProgressMessage Progress(ProgressKind kind, int attempt = 2, int step = 2, string job = "j") =>
        new() { Kind = kind, Job = job, Slice = "j/1/20240101", Attempt = attempt, Step = step, At = DateTimeOffset.UnixEpoch };

    [Theory]
    [InlineData(SliceState.Released, ProgressKind.StepStarted)]
    [InlineData(SliceState.Released, ProgressKind.StepDone)]
    [InlineData(SliceState.Released, ProgressKind.SliceSucceeded)]
    [InlineData(SliceState.Released, ProgressKind.SliceFailed)]
    [InlineData(SliceState.Released, ProgressKind.SliceCancelled)]
    [InlineData(SliceState.Running, ProgressKind.StepStarted)]
    [InlineData(SliceState.Running, ProgressKind.StepDone)]
    [InlineData(SliceState.Running, ProgressKind.SliceSucceeded)]
    [InlineData(SliceState.Running, ProgressKind.SliceFailed)]
    [InlineData(SliceState.Running, ProgressKind.SliceCancelled)]
    public void CurrentAttemptInFlight_Applies(SliceState state, ProgressKind kind) =>
        Assert.Null(ProgressRule.Ignored(Slice(state), Progress(kind)));

    [Theory]
    [InlineData(SliceState.Pending)]
    [InlineData(SliceState.Succeeded)]
    [InlineData(SliceState.Failed)]
    [InlineData(SliceState.Cancelled)]
    public void SliceNotInFlight_IgnoresEveryKind(SliceState state)
    {
        foreach (var kind in Enum.GetValues<ProgressKind>())
        {
            Assert.Equal($"the slice is {state.ToString().ToLowerInvariant()}", ProgressRule.Ignored(Slice(state), Progress(kind)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(0)]
    public void AnotherAttempt_IsIgnored_OlderOrNewer(int attempt) =>
        Assert.Equal($"attempt {attempt}, the slice is on attempt 2", ProgressRule.Ignored(Slice(SliceState.Running), Progress(ProgressKind.SliceSucceeded, attempt)));

    [Fact]
    public void AStepAlreadyApplied_IsIgnored_ALaterOneApplies()
    {
        Assert.Equal("step 1 was applied already", ProgressRule.Ignored(Slice(SliceState.Running, step: 1), Progress(ProgressKind.StepDone, step: 1)));
        Assert.NotNull(ProgressRule.Ignored(Slice(SliceState.Running, step: 1), Progress(ProgressKind.StepDone, step: 0)));
        Assert.Null(ProgressRule.Ignored(Slice(SliceState.Running, step: 1), Progress(ProgressKind.StepDone, step: 2)));
    }

    [Fact]
    public void UnknownSliceOrAnotherJobs_IsIgnored()
    {
        Assert.Equal("no such slice", ProgressRule.Ignored(null, Progress(ProgressKind.SliceSucceeded)));
        Assert.Equal("the slice belongs to job j, not k", ProgressRule.Ignored(Slice(SliceState.Running), Progress(ProgressKind.SliceSucceeded, job: "k")));
    }

    /// <summary>Whatever the rule lets through is a move the state machine allows, as the applier makes it: never a throw.</summary>
    [Fact]
    public void EveryReportItLetsThrough_IsAnAllowedMove()
    {
        foreach (var state in Enum.GetValues<SliceState>())
        {
            foreach (var kind in Enum.GetValues<ProgressKind>())
            {
                var slice = Slice(state);
                if (ProgressRule.Ignored(slice, Progress(kind)) is not null)
                {
                    continue;
                }

                if (slice.State == SliceState.Released && kind != ProgressKind.SliceCancelled)
                {
                    slice.MoveTo(SliceState.Running, DateTimeOffset.UnixEpoch, "started");
                }

                SliceState? to = kind switch
                {
                    ProgressKind.SliceSucceeded => SliceState.Succeeded,
                    ProgressKind.SliceFailed => SliceState.Failed,
                    ProgressKind.SliceCancelled => SliceState.Cancelled,
                    _ => null,
                };
                if (to is { } end)
                {
                    slice.MoveTo(end, DateTimeOffset.UnixEpoch, "ended");
                }
            }
        }
    }
}
