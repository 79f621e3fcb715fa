using Backfill.Core.Data;

namespace Backfill.Core.Jobs;

/// <summary>
/// Two active jobs must not pull the same data of the same shop of the same platform for the same day: they would spend
/// the shop's rate budget twice and emit every record twice (R2, R5). A new job whose days overlap, even by one, those of
/// a Running or Paused job of the same platform with a shop and a dataset in common is refused unless the operator
/// insists. Jobs of disjoint datasets (orders now, returns of the same days later) do not overlap: neither emits what the
/// other does. An orders job and a finance job of the same days both call the order list, a cost the budget counts, not
/// a record emitted twice.
/// </summary>
public static class OverlapRule
{
    /// <summary>The oldest active job the new one would overlap, or null.</summary>
    /// <param name="first">The new job's first day.</param>
    /// <param name="end">The new job's end day (exclusive).</param>
    /// <param name="data">What the new job pulls.</param>
    public static Overlap? Find(string platform, IReadOnlyCollection<string> shops, DateOnly first, DateOnly end, IEnumerable<JobRecord> jobs, Datasets data = DatasetNames.Default)
    {
        ArgumentNullException.ThrowIfNull(shops);
        ArgumentNullException.ThrowIfNull(jobs);
        return jobs
            .Where(j => j.State.IsActive()
                && string.Equals(j.Platform, platform, StringComparison.OrdinalIgnoreCase)
                && j.FirstDay < end && first < j.EndDay
                && (j.Data & data) != Datasets.None)
            .Select(j => new Overlap(j, [.. j.Shops.Where(shops.Contains)], Max(first, j.FirstDay), Min(end, j.EndDay)) { Data = j.Data & data })
            .Where(o => o.Shops.Count > 0)
            .OrderBy(o => o.Job.CreatedAt)
            .ThenBy(o => o.Job.Id, StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}

/// <summary>An active job a new one overlaps: the shops they share and the days <c>[FirstDay, EndDay)</c> both cover.</summary>
public sealed record Overlap(JobRecord Job, IReadOnlyList<string> Shops, DateOnly FirstDay, DateOnly EndDay)
{
    /// <summary>The datasets both jobs pull.</summary>
    public Datasets Data { get; init; } = DatasetNames.Default;

    public string Describe() =>
        $"job {Job.Id} ({Job.State.ToString().ToLowerInvariant()}) already covers shop{(Shops.Count > 1 ? "s" : "")} {string.Join(", ", Shops)} of {Job.Platform} for days [{FirstDay:yyyy-MM-dd}, {EndDay:yyyy-MM-dd}) ({DatasetNames.Format(Data)})";
}
