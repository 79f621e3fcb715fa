using Backfill.Core.Jobs;

namespace Backfill.Storage;

/// <summary>What earlier runs of a shop cost: the platform calls its succeeded slices made, per day they covered.</summary>
public sealed class SliceHistory(BackfillDatabase db)
{
    /// <summary>The most recent succeeded slices taken into account, so an old, different season weighs less.</summary>
    public const int Recent = 200;

    /// <remarks>
    /// Read job by job, newest first, through each job's succeeded slices (the one index slices keep), until
    /// <see cref="Recent"/> are found: no index on platform or shop is paid for at every slice insert (issue 6, P3).
    /// </remarks>
    public ShopHistory Of(string platform, string shop)
    {
        var store = new JobStore(db);
        var found = new List<SliceRecord>();
        foreach (var job in db.Jobs.Find(j => j.Platform == platform).OrderByDescending(j => j.CreatedAt))
        {
            // Slices from before workers counted their calls say nothing.
            found.AddRange(store.Slices(job.Id, SliceState.Succeeded).Where(s => s.Shop == shop && s.Calls > 0));
            if (found.Count >= Recent)
            {
                break;
            }
        }

        var slices = found.OrderByDescending(s => s.UpdatedAt).Take(Recent).ToList();
        return new ShopHistory(slices.Count, slices.Sum(s => (long)s.Calls), slices.Sum(s => s.EndDay.DayNumber - s.FirstDay.DayNumber));
    }
}

/// <summary>Succeeded slices of a shop that counted their calls, their calls, and the days they covered.</summary>
public sealed record ShopHistory(int Slices, long Calls, int Days)
{
    /// <summary>Calls per covered day; null without history.</summary>
    public double? CallsPerDay => Days > 0 && Calls > 0 ? (double)Calls / Days : null;
}
