using Backfill.Core.Data;
using Backfill.Core.Jobs;

namespace Backfill.Storage;

/// <summary>What earlier runs of a shop cost: the platform calls its succeeded slices made, per dataset, per day they covered.</summary>
/// <param name="readLimit">Succeeded slices read at most for one call; default <see cref="ReadLimit"/>.</param>
public sealed class SliceHistory(BackfillDatabase db, int readLimit = SliceHistory.ReadLimit)
{
    /// <summary>The most recent succeeded slices taken into account, so an old, different season weighs less.</summary>
    public const int Recent = 200;

    /// <summary>
    /// Succeeded slices read at most for one estimate, however many shops it names: two of the largest jobs. Shops whose
    /// runs are older than that count as never run.
    /// </summary>
    public const int ReadLimit = 400_000;

    public ShopHistory Of(string platform, string shop) => Of(platform, [shop])[shop];

    /// <remarks>
    /// Read job by job, newest first, through the succeeded slices (the one index slices keep) of each job of a shop
    /// still short, once for all the shops, until each has <see cref="Recent"/> or the read limit is reached: no index on platform or
    /// shop is paid for at every slice insert, and an estimate of many shops reads each job once.
    /// </remarks>
    public IReadOnlyDictionary<string, ShopHistory> Of(string platform, IReadOnlyCollection<string> shops)
    {
        ArgumentNullException.ThrowIfNull(shops);
        var store = new JobStore(db);
        var found = shops.Distinct(StringComparer.Ordinal).ToDictionary(s => s, _ => new List<SliceRecord>(), StringComparer.Ordinal);
        var read = 0;
        foreach (var job in db.Jobs.Find(j => j.Platform == platform).OrderByDescending(j => j.CreatedAt))
        {
            var wanting = found.Where(f => f.Value.Count < Recent).Select(f => f.Key).ToHashSet(StringComparer.Ordinal);
            if (wanting.Count == 0 || read >= readLimit)
            {
                break;
            }

            if (job.Shops.Count > 0 && !job.Shops.Any(wanting.Contains))
            {
                continue;
            }

            var succeeded = store.Slices(job.Id, SliceState.Succeeded);
            read += succeeded.Count;

            // Slices from before workers counted their calls say nothing.
            foreach (var slice in succeeded.Where(s => s.Calls > 0 && wanting.Contains(s.Shop)))
            {
                found[slice.Shop].Add(slice);
            }
        }

        return found.ToDictionary(f => f.Key, f =>
        {
            var slices = f.Value.OrderByDescending(s => s.UpdatedAt).Take(Recent).ToList();
            var byData = DatasetNames.All.ToDictionary(
                d => d,
                d =>
                {
                    var name = DatasetNames.Name(d);
                    var pulled = slices.Where(s => s.CallsPerData().ContainsKey(name)).ToList();
                    return (Calls: pulled.Sum(s => (long)s.CallsPerData()[name]), Days: pulled.Sum(s => s.EndDay.DayNumber - s.FirstDay.DayNumber));
                });
            return new ShopHistory(slices.Count, slices.Sum(s => (long)s.Calls), slices.Sum(s => s.EndDay.DayNumber - s.FirstDay.DayNumber)) { ByData = byData };
        }, StringComparer.Ordinal);
    }
}

/// <summary>Succeeded slices of a shop that counted their calls, their calls, and the days they covered.</summary>
public sealed record ShopHistory(int Slices, long Calls, int Days)
{
    /// <summary>Per dataset: the calls of the slices that pulled it, and the days those slices covered.</summary>
    public IReadOnlyDictionary<Datasets, (long Calls, int Days)> ByData { get; init; } = new Dictionary<Datasets, (long, int)>();

    /// <summary>Calls of one dataset per day covered by slices that pulled it; null when no slice of the shop did.</summary>
    public double? CallsPerDay(Datasets one) =>
        ByData.TryGetValue(one, out var h) && h.Days > 0 && h.Calls > 0 ? (double)h.Calls / h.Days : null;

    public bool Equals(ShopHistory? other) =>
        other is not null && (Slices, Calls, Days) == (other.Slices, other.Calls, other.Days)
        && DatasetNames.All.All(d => ByData.GetValueOrDefault(d) == other.ByData.GetValueOrDefault(d));

    public override int GetHashCode() => HashCode.Combine(Slices, Calls, Days);
}
