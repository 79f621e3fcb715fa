using Backfill.Core.Jobs;
using LiteDB;

namespace Backfill.Storage;

/// <summary>What earlier runs of a shop cost: the platform calls its succeeded slices made, per day they covered.</summary>
public sealed class SliceHistory(BackfillDatabase db)
{
    /// <summary>The most recent succeeded slices taken into account, so an old, different season weighs less.</summary>
    public const int Recent = 200;

    public ShopHistory Of(string platform, string shop)
    {
        var slices = db.Slices
            .Find(Query.And(Query.EQ(BackfillDatabase.PlatformStateExpression, $"{platform}|{SliceState.Succeeded}"), Query.EQ(nameof(SliceRecord.Shop), shop)))

            // Slices from before workers counted their calls say nothing.
            .Where(s => s.Calls > 0)
            .OrderByDescending(s => s.UpdatedAt)
            .Take(Recent)
            .ToList();
        return new ShopHistory(slices.Count, slices.Sum(s => (long)s.Calls), slices.Sum(s => s.EndDay.DayNumber - s.FirstDay.DayNumber));
    }
}

/// <summary>Succeeded slices of a shop that counted their calls, their calls, and the days they covered.</summary>
public sealed record ShopHistory(int Slices, long Calls, int Days)
{
    /// <summary>Calls per covered day; null without history.</summary>
    public double? CallsPerDay => Days > 0 && Calls > 0 ? (double)Calls / Days : null;
}
