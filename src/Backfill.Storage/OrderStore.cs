using LiteDB;

namespace Backfill.Storage;

/// <summary>The order sink: idempotent upserts keyed by <c>platform:shop:order_sn</c> (R10).</summary>
public sealed class OrderStore(BackfillDatabase db)
{
    /// <summary>Saves a batch in one transaction; returns how many of them were already stored (or came twice in it).</summary>
    /// <remarks>
    /// Each distinct id of the batch is looked up once (its stored deliveries are counted on), the new orders are inserted
    /// in bulk and the repeats updated in one call: a lookup and a write per delivery made the sink half as fast as a
    /// raw upsert loop (docs/performance.md, P6; one <c>_id IN […]</c> query for the batch was slower still, LiteDB's planner does
    /// not seek the index for it). The last delivery of an order wins, as one by one. The sink's totals are counted in the
    /// same transaction (<see cref="Totals"/>).
    /// </remarks>
    public int Upsert(IReadOnlyCollection<OrderDocument> batch, DateTimeOffset now) => db.InTransaction(() =>
    {
        var stored = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var id in batch.Select(o => o.Id).Distinct(StringComparer.Ordinal))
        {
            if (db.Orders.FindById(id) is { } existing)
            {
                stored[id] = existing.Writes;
            }
        }
        var fresh = new Dictionary<string, OrderDocument>(StringComparer.Ordinal);
        var updated = new Dictionary<string, OrderDocument>(StringComparer.Ordinal);
        var duplicates = 0;
        foreach (var order in batch)
        {
            order.SavedAt = now;
            if (fresh.Remove(order.Id, out var first))
            {
                order.Writes = first.Writes + 1;
                fresh[order.Id] = order;
                duplicates++;
            }
            else if (updated.Remove(order.Id, out var earlier) || stored.TryGetValue(order.Id, out _))
            {
                order.Writes = (earlier?.Writes ?? stored[order.Id]) + 1;
                updated[order.Id] = order;
                duplicates++;
            }
            else
            {
                order.Writes = 1;
                fresh[order.Id] = order;
            }
        }

        db.Orders.InsertBulk(fresh.Values);
        db.Orders.Update(updated.Values);
        AddToTotals(fresh.Count, batch.Count);
        // What each job's status shows as saved beside emitted; a job no longer stored has no totals to keep.
        foreach (var job in batch.GroupBy(o => o.JobId, StringComparer.Ordinal))
        {
            if (db.Totals.FindById(job.Key) is { } totals)
            {
                totals.Saved += job.Count();
                db.Totals.Update(totals);
            }
        }
        return duplicates;
    });

    public OrderDocument? Find(string id) => db.Orders.FindById(id);

    /// <summary>Every saved order of one shop, by id: what a check of the sink after a re-run compares.</summary>
    public IReadOnlyList<OrderDocument> OfShop(string platform, string shop) =>
        [.. db.Orders.Find(Query.EQ(nameof(OrderDocument.ShopKey), $"{platform}:{shop}")).OrderBy(o => o.Id, StringComparer.Ordinal)];

    /// <summary>Orders of some shops whose <paramref name="timeField"/> falls in <c>[from, to)</c>.</summary>
    public long Count(string platform, IEnumerable<string> shops, DateTimeOffset from, DateTimeOffset to, string timeField = "create_time")
    {
        var field = timeField == "update_time" ? "$.UpdateTime" : "$.CreateTime";
        long lo = from.ToUnixTimeSeconds(), hi = to.ToUnixTimeSeconds();
        return shops.Sum(shop => (long)db.Orders.Count(Query.And(
            Query.EQ(nameof(OrderDocument.ShopKey), $"{platform}:{shop}"),
            Query.GTE(field, lo),
            Query.LT(field, hi))));
    }

    /// <summary>What the sink holds and absorbed: one document read, however many orders are stored.</summary>
    public SinkTotals Totals() => (db.SinkTotals.FindById(SinkTotalsDocument.Sink) ?? new SinkTotalsDocument()).ToTotals();

    /// <summary>Adds a batch's new orders and deliveries to the sink's totals; inside the batch's transaction.</summary>
    private void AddToTotals(int fresh, int deliveries)
    {
        var totals = db.SinkTotals.FindById(SinkTotalsDocument.Sink) ?? new SinkTotalsDocument();
        totals.Unique += fresh;
        totals.Writes += deliveries;
        db.SinkTotals.Upsert(totals);
    }
}
