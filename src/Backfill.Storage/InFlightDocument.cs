namespace Backfill.Storage;

/// <summary>
/// A slice released or running, by platform: what the release cap counts (R1). Kept by <see cref="JobStore"/> in the
/// same transaction as every slice write, so the slices need no index of their own for it: each index on slices cost
/// a million inserts a job of a million slices (docs/performance.md, P3).
/// </summary>
internal sealed class InFlightDocument
{
    /// <summary>The slice's id.</summary>
    public string Id { get; set; } = "";

    public string Platform { get; set; } = "";
}
