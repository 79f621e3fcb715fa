using LiteDB;

namespace Backfill.Storage;

/// <summary>
/// What the sink has saved, kept by <see cref="OrderStore.Upsert"/> in the same transaction as the orders, so the totals
/// are exact and read as one document: counting the orders scans every order.
/// </summary>
internal sealed class SinkTotalsDocument
{
    /// <summary>The one document's id.</summary>
    public const string Sink = "sink";

    public string Id { get; set; } = Sink;

    /// <summary>Orders stored.</summary>
    public long Unique { get; set; }

    /// <summary>Deliveries applied, repeats included: the sum of the orders' <see cref="OrderDocument.Writes"/>.</summary>
    public long Writes { get; set; }

    /// <summary>The totals counted from the orders themselves: once, for a file from before they were kept.</summary>
    public static SinkTotalsDocument Count(ILiteCollection<OrderDocument> orders)
    {
        var unique = orders.LongCount();
        var writes = unique == 0 ? 0 : orders.Query().Select(o => o.Writes).ToEnumerable().Sum(w => (long)w);
        return new SinkTotalsDocument { Unique = unique, Writes = writes };
    }

    public SinkTotals ToTotals() => new(Unique, Writes);
}
