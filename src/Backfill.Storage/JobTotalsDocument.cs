using Backfill.Core.Jobs;

namespace Backfill.Storage;

/// <summary>
/// A job's slice counts by state and its emitted orders, kept by <see cref="JobStore"/> in the same transaction as
/// every slice write, and the records the sink saved of it, kept by <see cref="Records.RecordStore"/> with every batch. The status of a job of a million slices is then one document read, not a million (docs/performance.md, P3).
/// </summary>
internal sealed class JobTotalsDocument
{
    /// <summary>The job's id.</summary>
    public string Id { get; set; } = "";

    /// <summary>Slices per <see cref="SliceState"/>, indexed by the enum's value.</summary>
    public int[] States { get; set; } = new int[6];

    /// <summary>The sum of the slices' <see cref="SliceRecord.Orders"/>.</summary>
    public long Orders { get; set; }

    /// <summary>Record messages of the job the sink has saved, every dataset, repeats included (kept by <see cref="Records.RecordStore"/> with every batch).</summary>
    public long Saved { get; set; }

    /// <summary>Of <see cref="Saved"/>, per dataset name (totals of files from before datasets are brought forward as orders').</summary>
    public Dictionary<string, long> SavedByData { get; set; } = [];

    /// <summary>The sum of the slices' <see cref="SliceRecord.RecordsPerData"/>, per dataset name.</summary>
    public Dictionary<string, long> Records { get; set; } = [];

    /// <summary>The sum of the slices' <see cref="SliceRecord.CallsPerData"/>, per dataset name.</summary>
    public Dictionary<string, long> Calls { get; set; } = [];

    /// <summary>When the job's slices began to be deleted (<see cref="JobStore.PruneSlices"/>); null while they are kept.</summary>
    public DateTimeOffset? PrunedAt { get; set; }

    /// <summary>Every slice of the job is deleted.</summary>
    public bool Pruned { get; set; }

    public static JobTotalsDocument Of(string jobId, IEnumerable<SliceRecord> slices)
    {
        var totals = new JobTotalsDocument { Id = jobId };
        foreach (var slice in slices)
        {
            totals.Add(slice, +1);
        }

        return totals;
    }

    public void Add(SliceRecord slice, int sign)
    {
        States[(int)slice.State] += sign;
        Orders += sign * slice.Orders;
        AddData(slice, sign);
    }

    /// <summary>Adds the slice's records and calls per dataset only.</summary>
    public void AddData(SliceRecord slice, int sign)
    {
        AddAll(Records, slice.RecordsPerData(), sign);
        AddAll(Calls, slice.CallsPerData().Select(c => KeyValuePair.Create(c.Key, (long)c.Value)), sign);
    }

    /// <summary>Counts <paramref name="saved"/> deliveries of <paramref name="dataset"/> (a name) as saved.</summary>
    public void AddSaved(string dataset, long saved)
    {
        SavedByData[dataset] = SavedByData.GetValueOrDefault(dataset) + saved;
        Saved += saved;
    }

    public JobTotals ToTotals() => new(new SliceCounts(States[0], States[1], States[2], States[3], States[4], States[5]), Orders, Saved, PrunedAt, Pruned)
    {
        SavedByData = SavedByData,
        Records = Records,
        Calls = Calls,
    };

    private static void AddAll(Dictionary<string, long> to, IEnumerable<KeyValuePair<string, long>> add, int sign)
    {
        foreach (var (name, count) in add)
        {
            to[name] = to.GetValueOrDefault(name) + (sign * count);
        }
    }
}
