using System.Globalization;
using Backfill.Core.Jobs;

namespace Backfill.Scheduling.Alerts;

/// <summary>
/// One thing an operator should hear of: its event (<see cref="AlertEvents"/>), a stable key (the same occurrence raised
/// twice has the same key, and is told once, <see cref="AlertDedup"/>), when, one line for people, and the facts it is
/// about. Built by the factories below only, so every event carries the same facts wherever it is raised. Never a secret:
/// errors are the words a slice's status shows.
/// </summary>
public sealed record Alert(string Event, string Key, DateTimeOffset At, string Summary)
{
    public string? Job { get; init; }

    public string? Platform { get; init; }

    public string? Shop { get; init; }

    public string? Slice { get; init; }

    public int? Attempt { get; init; }

    /// <summary>A finished job's state.</summary>
    public string? State { get; init; }

    public string? Error { get; init; }

    /// <summary>When a cool-off or a spent quota ends, or a token lapses.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Which token lapses (<c>access</c>, <c>refresh</c>), or the worker process whose commits failed.</summary>
    public string? Subject { get; init; }

    /// <summary>A finished job's slices by state, or a worker's failed commits since it started.</summary>
    public IReadOnlyDictionary<string, long>? Counts { get; init; }

    /// <summary>The failed slices of a <see cref="AlertEvents.SliceFailed"/> batch, in the order they failed.</summary>
    public IReadOnlyList<FailedSlice>? Slices { get; init; }

    public static Alert JobFinished(JobRecord job, SliceCounts counts, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(counts);
        var state = job.State.ToString().ToLowerInvariant();
        var name = job.State == JobState.Succeeded ? AlertEvents.JobSucceeded : AlertEvents.JobFailed;
        return new Alert(name, $"{name}:{job.Id}:{Instant(at)}", at,
            $"Job {job.Id} ({job.Platform}, shops {string.Join(", ", job.Shops)}, {job.FirstDay:yyyy-MM-dd} to {job.EndDay:yyyy-MM-dd}) {state}: {counts.Succeeded} of {counts.Total} slices succeeded, {counts.Failed} failed, {counts.Cancelled} cancelled")
        {
            Job = job.Id,
            Platform = job.Platform,
            State = state,
            Counts = new Dictionary<string, long> { ["total"] = counts.Total, ["succeeded"] = counts.Succeeded, ["failed"] = counts.Failed, ["cancelled"] = counts.Cancelled },
        };
    }

    /// <summary>One slice failed: the scheduler gathers these per job into batches (<see cref="SlicesFailed"/>).</summary>
    public static Alert SliceFailed(SliceRecord slice, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(slice);
        return new Alert(AlertEvents.SliceFailed, $"{AlertEvents.SliceFailed}:{slice.Id}:{slice.Attempt}", at, $"Slice {slice.Id} failed: {slice.Error}")
        {
            Job = slice.JobId,
            Platform = slice.Platform,
            Shop = slice.Shop,
            Slice = slice.Id,
            Attempt = slice.Attempt,
            Error = slice.Error,
            Slices = [new FailedSlice(slice.Id, slice.Shop, slice.Attempt, at, slice.Error, slice.Failure)],
        };
    }

    /// <param name="opened">When the batch's first slice failed: with the job, the batch's identity.</param>
    public static Alert SlicesFailed(string job, string platform, IReadOnlyList<FailedSlice> slices, DateTimeOffset opened, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(slices);
        var first = slices[0];
        return new Alert(AlertEvents.SliceFailed, $"{AlertEvents.SliceFailed}:{job}:{Instant(opened)}", at,
            slices.Count == 1
                ? $"Job {job} ({platform}): slice {first.Slice} failed: {first.Error}"
                : $"Job {job} ({platform}): {slices.Count} slices failed, the first {first.Slice}: {first.Error}")
        {
            Job = job,
            Platform = platform,
            Slices = slices,
        };
    }

    /// <param name="lastHeard">When the scheduler last heard of the attempt.</param>
    public static Alert SliceStuck(SliceRecord slice, DateTimeOffset lastHeard, TimeSpan stuckAfter, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(slice);
        return new Alert(AlertEvents.SliceStuck, $"{AlertEvents.SliceStuck}:{slice.Id}:{slice.Attempt}", at,
            $"Slice {slice.Id} of job {slice.JobId} ({slice.Platform}) is stuck: nothing heard of attempt {slice.Attempt} since {Instant(lastHeard)}, more than Backfill:StuckAfter {stuckAfter:c}; released again as a new attempt")
        {
            Job = slice.JobId,
            Platform = slice.Platform,
            Shop = slice.Shop,
            Slice = slice.Id,
            Attempt = slice.Attempt,
            Until = lastHeard,
        };
    }

    public static Alert CoolOff(string platform, DateTimeOffset until, string? reason, DateTimeOffset at) =>
        new(AlertEvents.PlatformCoolOff, $"{AlertEvents.PlatformCoolOff}:{platform}:{Instant(until)}", at,
            $"Platform {platform} cools off until {Instant(until)}: no calls, no releases{(string.IsNullOrEmpty(reason) ? "" : $" ({reason})")}")
        {
            Platform = platform,
            Until = until,
            Error = reason,
        };

    public static Alert QuotaSpent(string platform, DateTimeOffset until, string reason, DateTimeOffset at) =>
        new(AlertEvents.PlatformQuotaSpent, $"{AlertEvents.PlatformQuotaSpent}:{platform}:{Instant(until)}", at,
            $"Platform {platform}: quota spent, resumes at {Instant(until)} ({reason})")
        {
            Platform = platform,
            Until = until,
            Error = reason,
        };

    /// <param name="token"><c>access</c> or <c>refresh</c>.</param>
    public static Alert TokenExpiring(string platform, string shop, string token, DateTimeOffset expires, string why, DateTimeOffset at) =>
        new(AlertEvents.ShopTokenExpiring, $"{AlertEvents.ShopTokenExpiring}:{platform}:{shop}:{token}:{Instant(expires)}", at,
            $"Shop {platform}/{shop}: the {token} token lapses at {Instant(expires)}: {why}")
        {
            Platform = platform,
            Shop = shop,
            Subject = token,
            Until = expires,
            Error = why,
        };

    public static Alert NeedsAuthorization(string platform, string shop, string outcome, string command, DateTimeOffset at) =>
        new(AlertEvents.ShopNeedsAuthorization, $"{AlertEvents.ShopNeedsAuthorization}:{platform}:{shop}", at,
            $"Shop {platform}/{shop} needs authorization: the platform refused its refresh token ({outcome}); its seller must authorise the app again, then bring the new refresh token with '{command}'")
        {
            Platform = platform,
            Shop = shop,
            Error = outcome,
        };

    /// <param name="failures">The process's failed commits since it started.</param>
    public static Alert CommitFailures(string platform, string process, long failures, DateTimeOffset at) =>
        new(AlertEvents.WorkerCommitFailures, $"{AlertEvents.WorkerCommitFailures}:{process}", at,
            $"Worker {process} failed to commit offsets {failures} time(s) since it started (platform {platform}): its partitions' work may be done again")
        {
            Platform = platform,
            Subject = process,
            Counts = new Dictionary<string, long> { ["commitFailures"] = failures },
        };

    /// <summary>What <c>backfill notify test</c> sends: every target, whatever its events.</summary>
    public static Alert Test(DateTimeOffset at) =>
        new(AlertEvents.Test, $"{AlertEvents.Test}:{Instant(at)}", at, "A test notification from 'backfill notify test': this target receives Backfill's alerts");

    /// <summary>An instant as alerts write it: UTC, ISO 8601, to the millisecond.</summary>
    public static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>A slice of a <see cref="AlertEvents.SliceFailed"/> batch: which, when, and why (its status's words).</summary>
/// <param name="Failure">The kind of error (permanent, transient, throttle, quota, …), when the worker said it.</param>
public sealed record FailedSlice(string Slice, string Shop, int Attempt, DateTimeOffset At, string? Error, string? Failure);
