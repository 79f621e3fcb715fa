using LiteDB;

namespace Backfill.Storage;

/// <summary>The order sink: idempotent upserts keyed by <c>platform:shop:order_sn</c> (R10).</summary>
public sealed class OrderStore(BackfillDatabase db)
{
    /// <summary>Saves a batch in one transaction; returns how many of them were already stored.</summary>
    public int Upsert(IReadOnlyCollection<OrderDocument> batch, DateTimeOffset now) => db.InTransaction(() =>
    {
        var duplicates = 0;
        foreach (var order in batch)
        {
            var existing = db.Orders.FindById(order.Id);
            order.SavedAt = now;
            if (existing is null)
            {
                order.Writes = 1;
                db.Orders.Insert(order);
            }
            else
            {
                order.Writes = existing.Writes + 1;
                db.Orders.Update(order);
                duplicates++;
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

    public SinkTotals Totals()
    {
        var unique = db.Orders.LongCount();
        var writes = unique == 0 ? 0 : db.Orders.Query().Select(o => o.Writes).ToEnumerable().Sum(w => (long)w);
        return new SinkTotals(unique, writes);
    }
}
