using Backfill.Core.Jobs;

namespace Backfill.Storage;

/// <summary>A job's slices by state and the orders its slices emitted, as of the last slice write.</summary>
/// <param name="Saved">Order messages of the job the sink has saved, repeats included as in <paramref name="Orders"/>.</param>
/// <param name="PrunedAt">
/// When the finished job's slices and their transitions began to be deleted (<see cref="JobStore.PruneSlices"/>); null
/// while they are kept. The totals stay as they were when the job finished.
/// </param>
/// <param name="Pruned">Every slice of the job is deleted.</param>
public sealed record JobTotals(SliceCounts Slices, long Orders, long Saved = 0, DateTimeOffset? PrunedAt = null, bool Pruned = false);
