using Backfill.Core.Jobs;

namespace Backfill.Scheduling;

/// <summary>A new job would overlap an active one (<see cref="OverlapRule"/>); nothing was created.</summary>
public sealed class JobOverlapException(Overlap overlap)
    : InvalidOperationException($"Refused: {overlap.Describe()}. Cancel it first, or allow the overlap (--allow-overlap, \"allowOverlap\": true).")
{
    public Overlap Overlap { get; } = overlap;
}
