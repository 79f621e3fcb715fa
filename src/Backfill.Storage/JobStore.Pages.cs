using System.Globalization;
using Backfill.Core.Jobs;
using LiteDB;

namespace Backfill.Storage;

/// <summary>A job's slices a page at a time.</summary>
public sealed partial class JobStore
{
    /// <summary>
    /// Up to <paramref name="limit"/> of the job's slices (those in <paramref name="state"/>, or all), earliest day first
    /// and then by shop, from after <paramref name="after"/>'s place on; <c>More</c> when others follow. Each state is read
    /// from the job/state/day index at that place, at most <paramref name="limit"/> + 1 slices of it, so a page costs
    /// the same wherever it is in a job of any size. A slice keeps its place when its state changes.
    /// With <paramref name="stuckOnly"/>, only the slices that were ever stuck (<see cref="SliceRecord.Restarts"/>): those
    /// are few, so such a page reads the job's slices of each state past the place until it is full.
    /// </summary>
    public (IReadOnlyList<SliceRecord> Page, bool More) SlicePage(string jobId, SliceState? state, SliceRecord? after, int limit, bool stuckOnly = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var from = after is null ? "" : Place(after);
        var read = new List<SliceRecord>();
        foreach (var s in state is { } one ? [one] : Enum.GetValues<SliceState>())
        {
            // The index orders keys as LiteDB's collation does, and LIKE-style prefixes ignore case: stop at the end of
            // the prefix's run and keep only this job's slices in this state.
            var prefix = $"{jobId}|{s}|";
            read.AddRange(db.Slices.Find(Query.GTE(BackfillDatabase.JobStateDayExpression, prefix + from))
                .TakeWhile(x => $"{x.JobId}|{x.State}|".StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Where(x => x.JobId == jobId && x.State == s && string.CompareOrdinal(Place(x), from) > 0 && (!stuckOnly || x.Restarts > 0))
                .Take(limit + 1));
        }

        // The states are read one after the other: a slice that moved on in between is read twice, and its later
        // reading is the one kept.
        var sorted = read.GroupBy(x => x.Id, StringComparer.Ordinal).Select(g => g.Last()).OrderBy(Place, StringComparer.Ordinal).ToList();
        return (sorted.Take(limit).ToList(), sorted.Count > limit);
    }

    /// <summary>A slice's place in its job: its day, then its shop, as the index keys them after the job and state.</summary>
    private static string Place(SliceRecord slice) => $"{slice.FirstDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}|{slice.Shop}";
}
