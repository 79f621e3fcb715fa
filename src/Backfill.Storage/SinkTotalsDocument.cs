using LiteDB;

namespace Backfill.Storage;

/// <summary>
/// What the sink has saved of one dataset, kept by <see cref="Records.RecordStore.Upsert"/> in the same transaction as the
/// records, so the totals are exact and read as one document: counting the records scans every record.
/// </summary>
internal sealed class SinkTotalsDocument
{
    /// <summary>The dataset's name.</summary>
    public string Id { get; set; } = "";

    /// <summary>Records stored.</summary>
    public long Unique { get; set; }

    /// <summary>Deliveries applied, repeats included: the sum of the records' <see cref="Records.RecordDocument.Writes"/>.</summary>
    public long Writes { get; set; }

    /// <summary>The totals counted from the records themselves: once, for a file from before they were kept.</summary>
    public static SinkTotalsDocument Count(ILiteCollection<BsonDocument> records, string id)
    {
        var unique = records.LongCount();
        var writes = unique == 0 ? 0 : records.FindAll().Sum(r => (long)r["Writes"].AsInt32);
        return new SinkTotalsDocument { Id = id, Unique = unique, Writes = writes };
    }

    public SinkTotals ToTotals() => new(Unique, Writes);
}
