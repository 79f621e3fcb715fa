using Backfill.Core.Jobs;

namespace Backfill.Storage;

/// <summary>A job's slices by state and the orders its slices emitted, as of the last slice write.</summary>
public sealed record JobTotals(SliceCounts Slices, long Orders);
