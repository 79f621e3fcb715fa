using Backfill.Core.Jobs;

namespace Backfill.Core.Release;

/// <summary>
/// Which failed slices the scheduler releases again by itself (<c>Backfill:AutoRetry</c>): those whose last error may
/// pass with time — the platform failing (transient), throttling or out of quota — up to <see cref="Attempts"/> times
/// each, <see cref="After"/> after the failure. Never a permanent error (a bad parameter, a shop no longer authorised)
/// nor one of unknown kind: repeating those cannot help and would hide them from the operator.
/// </summary>
public sealed record AutoRetryRule(int Attempts, TimeSpan After)
{
    /// <summary>The kinds of failure worth another attempt, as workers name them.</summary>
    public static readonly IReadOnlySet<string> Retryable = new HashSet<string>(StringComparer.Ordinal) { "transient", "throttle", "quota" };

    /// <summary>Whether <paramref name="slice"/> will still be retried by itself (so its job is not finished yet).</summary>
    public bool Awaits(SliceRecord slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        return slice.State == SliceState.Failed && slice.Failure is { } kind && Retryable.Contains(kind) && slice.AutoRetries < Attempts;
    }

    /// <summary>When <paramref name="slice"/> is due for its automatic retry, or null when it gets none.</summary>
    public DateTimeOffset? DueAt(SliceRecord slice) =>
        Awaits(slice) ? (slice.ProgressAt ?? slice.UpdatedAt) + After : null;
}
