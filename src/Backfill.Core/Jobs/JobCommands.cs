namespace Backfill.Core.Jobs;

/// <summary>
/// Which operator commands a job's state allows, and in plain words why not (the API answers 409 with it). Retry takes
/// failed slices only: a succeeded slice is never run again by it (R11), unless the operator forces it (R10: re-running
/// any slice is safe, the sink absorbs the repeats).
/// </summary>
public static class JobCommands
{
    /// <summary>Why <paramref name="command"/> cannot be done to <paramref name="job"/> now; null when it can.</summary>
    public static string? Refusal(JobCommand command, JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var state = job.State.ToString().ToLowerInvariant();
        return (command, job.State) switch
        {
            (JobCommand.Pause, JobState.Running) => null,
            (JobCommand.Pause, JobState.Paused) => $"Job {job.Id} is already paused; 'backfill resume {job.Id}' continues it.",
            (JobCommand.Resume, JobState.Paused) => null,
            (JobCommand.Resume, JobState.Running) => $"Job {job.Id} is running, not paused.",
            (JobCommand.Cancel or JobCommand.ChangeCadence, JobState.Running or JobState.Paused) => null,
            (JobCommand.Retry, JobState.Running or JobState.Paused or JobState.Failed) => null,
            (JobCommand.Retry, JobState.Cancelled) => $"Job {job.Id} is cancelled, and a cancelled job stays cancelled; start a new job for its range instead.",
            _ => $"Job {job.Id} is {state}: it cannot be {Past(command)} any more.",
        };
    }

    /// <summary>The slices a retry of <paramref name="job"/> moves back to Pending: the failed one asked for, or every failed one.</summary>
    /// <param name="slices">The job's slices.</param>
    /// <param name="slice">One slice id, or null for all failed slices.</param>
    /// <param name="force">Succeeded slices too, and a succeeded job runs again; slices in flight or pending are left alone.</param>
    public static RetryChoice ChooseRetry(JobRecord job, IReadOnlyList<SliceRecord> slices, string? slice, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(slices);
        if (force)
        {
            return ChooseForced(job, slices, slice);
        }

        if (Refusal(JobCommand.Retry, job) is { } refusal)
        {
            return RetryChoice.Refused(refusal);
        }

        if (slice is not null)
        {
            var asked = slices.FirstOrDefault(s => s.Id == slice);
            return asked switch
            {
                null => new RetryChoice([], $"Job {job.Id} has no slice '{slice}'.", UnknownSlice: true),
                { State: SliceState.Failed } => new RetryChoice([asked], null),
                _ => RetryChoice.Refused($"Slice {slice} is {asked.State.ToString().ToLowerInvariant()}; only failed slices are retried."),
            };
        }

        var failed = slices.Where(s => s.State == SliceState.Failed).ToList();
        return failed.Count > 0 ? new RetryChoice(failed, null) : RetryChoice.Refused($"Job {job.Id} has no failed slices to retry.");
    }

    private static RetryChoice ChooseForced(JobRecord job, IReadOnlyList<SliceRecord> slices, string? slice)
    {
        if (job.State != JobState.Succeeded && Refusal(JobCommand.Retry, job) is { } refusal)
        {
            return RetryChoice.Refused(refusal);
        }

        if (slice is not null)
        {
            var asked = slices.FirstOrDefault(s => s.Id == slice);
            return asked switch
            {
                null => new RetryChoice([], $"Job {job.Id} has no slice '{slice}'.", UnknownSlice: true),
                { State: SliceState.Failed or SliceState.Succeeded } => new RetryChoice([asked], null),
                _ => RetryChoice.Refused($"Slice {slice} is {asked.State.ToString().ToLowerInvariant()}; a forced retry re-runs failed and succeeded slices only."),
            };
        }

        var finished = slices.Where(s => s.State is SliceState.Failed or SliceState.Succeeded).ToList();
        return finished.Count > 0 ? new RetryChoice(finished, null) : RetryChoice.Refused($"Job {job.Id} has no failed or succeeded slices to re-run.");
    }

    private static string Past(JobCommand command) => command switch
    {
        JobCommand.Pause => "paused",
        JobCommand.Resume => "resumed",
        JobCommand.Cancel => "cancelled",
        JobCommand.Retry => "retried",
        _ => "changed",
    };
}

/// <summary>What a retry would do: the slices it moves to Pending, or why it does nothing.</summary>
/// <param name="UnknownSlice">The slice asked for is not one of the job's (a 404 rather than a 409).</param>
public sealed record RetryChoice(IReadOnlyList<SliceRecord> Slices, string? Refusal, bool UnknownSlice = false)
{
    public static RetryChoice Refused(string reason) => new([], reason);
}
