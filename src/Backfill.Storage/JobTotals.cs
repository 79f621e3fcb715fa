using Backfill.Core.Jobs;

namespace Backfill.Storage;

/// <summary>A job's slices by state and the orders its slices emitted, as of the last slice write.</summary>
/// <param name="Saved">Order messages of the job the sink has saved, repeats included as in <paramref name="Orders"/>.</param>
public sealed record JobTotals(SliceCounts Slices, long Orders, long Saved = 0);
