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
        Assert.Equal((ProgressFit.Applies, null), ProgressRule.Judge(Slice(state), Progress(kind)));

    /// <summary>Retried, released again since, back to Pending after a failed produce, or finished: late news of a real release.</summary>
    [Theory]
    [InlineData(SliceState.Pending)]
    [InlineData(SliceState.Succeeded)]
    [InlineData(SliceState.Failed)]
    [InlineData(SliceState.Cancelled)]
    public void CurrentAttemptOfASliceNotInFlight_IsStale_EveryKind(SliceState state)
    {
        foreach (var kind in Enum.GetValues<ProgressKind>())
        {
            Assert.Equal((ProgressFit.Stale, $"the slice is {state.ToString().ToLowerInvariant()}"), ProgressRule.Judge(Slice(state), Progress(kind)));
        }
    }

    [Theory]
    [InlineData(SliceState.Pending)]
    [InlineData(SliceState.Released)]
    [InlineData(SliceState.Running)]
    [InlineData(SliceState.Succeeded)]
    public void AnOlderAttempt_IsStale(SliceState state) =>
        Assert.Equal((ProgressFit.Stale, "attempt 1, the slice is on attempt 2"), ProgressRule.Judge(Slice(state), Progress(ProgressKind.SliceFailed, attempt: 1)));

    [Fact]
    public void AStepAlreadyApplied_IsStale_ALaterOneApplies()
    {
        Assert.Equal((ProgressFit.Stale, "step 1 was applied already"), ProgressRule.Judge(Slice(SliceState.Running, step: 1), Progress(ProgressKind.StepDone, step: 1)));
        Assert.Equal(ProgressFit.Stale, ProgressRule.Judge(Slice(SliceState.Running, step: 1), Progress(ProgressKind.StepDone, step: 0)).Fit);
        Assert.Equal(ProgressFit.Applies, ProgressRule.Judge(Slice(SliceState.Running, step: 1), Progress(ProgressKind.StepDone, step: 2)).Fit);
    }

    /// <summary>What no release caused: a success for a slice never released (attempt 0), an attempt not yet released, an unknown slice, another job's.</summary>
    [Fact]
    public void WhatNoReleaseCaused_IsImpossible()
    {
        Assert.Equal(
            (ProgressFit.Impossible, "attempt 0 of slice j/1/20240101 was never released (it is on attempt 0, pending)"),
            ProgressRule.Judge(Slice(SliceState.Pending, attempt: 0), Progress(ProgressKind.SliceSucceeded, attempt: 0)));
        Assert.Equal(ProgressFit.Impossible, ProgressRule.Judge(Slice(SliceState.Running), Progress(ProgressKind.SliceSucceeded, attempt: 3)).Fit);
        Assert.Equal(ProgressFit.Impossible, ProgressRule.Judge(Slice(SliceState.Running), Progress(ProgressKind.StepDone, attempt: 0)).Fit);
        Assert.Equal((ProgressFit.Impossible, "no slice j/1/20240101"), ProgressRule.Judge(null, Progress(ProgressKind.SliceSucceeded)));
        Assert.Equal(ProgressFit.Stale, ProgressRule.Judge(null, Progress(ProgressKind.SliceSucceeded), slicesDeleted: true).Fit);
        Assert.Equal((ProgressFit.Impossible, "slice j/1/20240101 belongs to job j, not k"), ProgressRule.Judge(Slice(SliceState.Running), Progress(ProgressKind.SliceSucceeded, job: "k")));
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
                if (ProgressRule.Judge(slice, Progress(kind)).Fit != ProgressFit.Applies)
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
