using Backfill.Core.Jobs;

namespace Backfill.Storage;

/// <summary>A job's slices by state and the orders its slices emitted, as of the last slice write.</summary>
/// <param name="Saved">Record messages of the job the sink has saved, every dataset, repeats included as in <paramref name="Orders"/>.</param>
/// <param name="PrunedAt">
/// When the finished job's slices and their transitions began to be deleted (<see cref="JobStore.PruneSlices"/>); null
/// while they are kept. The totals stay as they were when the job finished.
/// </param>
/// <param name="Pruned">Every slice of the job is deleted.</param>
public sealed record JobTotals(SliceCounts Slices, long Orders, long Saved = 0, DateTimeOffset? PrunedAt = null, bool Pruned = false)
{
    /// <summary>Of <see cref="Saved"/>, per dataset name.</summary>
    public IReadOnlyDictionary<string, long> SavedByData { get; init; } = new Dictionary<string, long>();

    /// <summary>Records the job's slices emitted, per dataset name (repeats included, as <see cref="Orders"/>).</summary>
    public IReadOnlyDictionary<string, long> Records { get; init; } = new Dictionary<string, long>();

    /// <summary>Platform calls the job's slices made, per dataset name.</summary>
    public IReadOnlyDictionary<string, long> Calls { get; init; } = new Dictionary<string, long>();

    public bool Equals(JobTotals? other) =>
        other is not null && (Slices, Orders, Saved, PrunedAt, Pruned) == (other.Slices, other.Orders, other.Saved, other.PrunedAt, other.Pruned)
        && Same(SavedByData, other.SavedByData) && Same(Records, other.Records) && Same(Calls, other.Calls);

    public override int GetHashCode() => HashCode.Combine(Slices, Orders, Saved, PrunedAt, Pruned);

    private static bool Same(IReadOnlyDictionary<string, long> a, IReadOnlyDictionary<string, long> b) =>
        a.Where(p => p.Value != 0).OrderBy(p => p.Key, StringComparer.Ordinal).SequenceEqual(b.Where(p => p.Value != 0).OrderBy(p => p.Key, StringComparer.Ordinal));
}
