using Backfill.Storage;
using LiteDB;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// P6: the order sink's upserts (<see cref="OrderStore.Upsert"/>, batches of the sink consumer's size, one delivery in
/// ten a repeat) against a raw LiteDB loop that upserts the same documents, batch by batch in a transaction, into a
/// collection with the same mapper and indexes.
/// </summary>
internal sealed class SinkScenario(PerfOptions options)
{
    private const int Batch = Messaging.Clients.BatchConsumer.MaxBatch;
    private readonly TimeProvider _time = TimeProvider.System;

    public IReadOnlyList<PerfRow> Run()
    {
        using var folder = new TempFolder("backfill-perf-p6-");
        var deliveries = Deliveries(options.Orders);
        var now = _time.GetUtcNow();

        // Each side twice, the first a warm-up on its own file, so JIT and page cache count for neither.
        Product(folder.File("warm-product.db"), deliveries[..Math.Min(deliveries.Length, 20_000)], now);
        Raw(folder.File("warm-raw.db"), deliveries[..Math.Min(deliveries.Length, 20_000)], now);
        var (product, duplicates) = Product(folder.File("product.db"), deliveries, now);
        var raw = Raw(folder.File("raw.db"), deliveries, now);

        var productRate = deliveries.Length / product.TotalSeconds;
        var rawRate = deliveries.Length / raw.TotalSeconds;
        Benchmarks.Progress.Line($"P6 sink: product {productRate:N0}/s, raw {rawRate:N0}/s, {duplicates:N0} duplicates absorbed");
        return
        [
            new PerfRow("P6", $"order sink upserts, {deliveries.Length:N0} deliveries (10% repeats)", $"{productRate:N0} orders/s", $"{rawRate:N0} orders/s raw Upsert loop", productRate / rawRate, "≥ 0.8×", productRate / rawRate >= 0.8)
            {
                Figures = new Dictionary<string, object> { ["deliveries"] = deliveries.Length, ["duplicates"] = duplicates, ["productSeconds"] = product.TotalSeconds, ["rawSeconds"] = raw.TotalSeconds },
            },
        ];
    }

    /// <summary>Order numbers in delivery order: every tenth delivery repeats an order delivered about a thousand earlier.</summary>
    private static int[] Deliveries(int count)
    {
        var list = new List<int>(count + (count / 9));
        var next = 0;
        while (list.Count < count)
        {
            list.Add(list.Count % 10 == 9 && next > 1_000 ? next - 1_000 : next++);
        }

        return [.. list];
    }

    private static OrderDocument Order(int n) => new()
    {
        Id = OrderDocument.MakeId("perf", $"{100_000 + (n % 500)}", $"2401{n:D10}"),
        Platform = "perf",
        Shop = $"{100_000 + (n % 500)}",
        ShopKey = $"perf:{100_000 + (n % 500)}",
        OrderSn = $"2401{n:D10}",
        Status = "COMPLETED",
        CreateTime = 1_704_067_200 + n,
        UpdateTime = 1_704_067_200 + n,
        TotalAmount = 100 + (n % 1000),
        Currency = "SGD",
        JobId = "perf-20240101-20240102-abcdef",
        SliceId = $"perf-20240101-20240102-abcdef/{100_000 + (n % 500)}/20240101",
    };

    private (TimeSpan Elapsed, long Duplicates) Product(string path, int[] deliveries, DateTimeOffset now)
    {
        using var db = new BackfillDatabase(path);
        var store = new OrderStore(db);
        long duplicates = 0;
        var started = _time.GetTimestamp();
        foreach (var chunk in deliveries.Chunk(Batch))
        {
            duplicates += store.Upsert([.. chunk.Select(Order)], now);
        }

        return (_time.GetElapsedTime(started), duplicates);
    }

    private TimeSpan Raw(string path, int[] deliveries, DateTimeOffset now)
    {
        using var db = new LiteDatabase(new ConnectionString { Filename = path, Connection = ConnectionType.Direct }, BackfillMapper.Create());
        var orders = db.GetCollection<OrderDocument>("orders");
        orders.EnsureIndex(o => o.ShopKey);
        orders.EnsureIndex(o => o.JobId);
        var started = _time.GetTimestamp();
        foreach (var chunk in deliveries.Chunk(Batch))
        {
            db.BeginTrans();
            foreach (var order in chunk.Select(Order))
            {
                order.SavedAt = now;
                order.Writes = 1;
                orders.Upsert(order);
            }

            db.Commit();
        }

        return _time.GetElapsedTime(started);
    }
}
