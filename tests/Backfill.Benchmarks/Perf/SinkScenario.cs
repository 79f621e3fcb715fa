using System.Text;
using Backfill.Core.Data;
using Backfill.Storage;
using Backfill.Storage.Records;
using LiteDB;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// P6: the order sink's upserts (<see cref="RecordStore.Upsert"/>, batches of the sink consumer's size, one delivery in
/// ten a repeat) against a raw LiteDB loop that upserts the same documents, batch by batch in a transaction, into a
/// collection with the same mapper and indexes. The two sides take turns batch by batch (which goes first alternates),
/// each into its own file, so a disk that slows down or speeds up during the run (writeback of an earlier row, another
/// process) weighs on both alike: run one after the other, the same code measured 0.62 in a full run and 0.94 alone.
/// The raw loop commits through the same <see cref="LogWriter"/> as the product, so both pay the same for LiteDB's log:
/// committed plainly, LiteDB writes and fsyncs each page on the committing thread (docs/performance.md), and the raw loop
/// measured 2,411 orders/s on this VM's disk against the product's 10,312.
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

        // Twice, the first a warm-up on files of their own, so JIT and page cache count for neither.
        Interleaved(folder, "warm-", deliveries[..Math.Min(deliveries.Length, 20_000)], now);
        Disk.Settle();
        var (product, raw, duplicates) = Interleaved(folder, "", deliveries, now);

        var productRate = deliveries.Length / product.TotalSeconds;
        var rawRate = deliveries.Length / raw.TotalSeconds;
        Benchmarks.Progress.Line($"P6 sink: product {productRate:N0}/s, raw {rawRate:N0}/s, {duplicates:N0} duplicates absorbed");
        return
        [
            new PerfRow("P6", $"order sink upserts, {deliveries.Length:N0} deliveries (10% repeats)", $"{productRate:N0} orders/s", $"{rawRate:N0} orders/s raw Upsert loop", productRate / rawRate, "≥ 0.8×", productRate / rawRate >= 0.8)
            {
                Figures = new Dictionary<string, object> { ["deliveries"] = deliveries.Length, ["duplicates"] = duplicates, ["productSeconds"] = product.TotalSeconds, ["rawSeconds"] = raw.TotalSeconds, ["interleaved"] = true },
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

    /// <summary>An order record of about 600 bytes, two items, as the platform's detail call returns it.</summary>
    private static RecordDocument Order(int n)
    {
        var record = RecordDocument.Of(Encoding.UTF8.GetBytes(
            $$"""{"order_sn":"2401{{n:D10}}","order_status":"COMPLETED","create_time":{{1_704_067_200 + n}},"update_time":{{1_704_067_200 + n}},"total_amount":{{100 + (n % 1000)}},"currency":"SGD","buyer_user_id":{{n % 9973}},"shipping_carrier":"Standard Delivery","payment_method":"Credit Card","item_list":[{"item_id":{{n % 311}},"item_name":"Item {{n % 311}}","model_quantity_purchased":1,"model_discounted_price":50.5},{"item_id":{{n % 313}},"item_name":"Item {{n % 313}}","model_quantity_purchased":2,"model_discounted_price":24.75}]}"""));
        record.Id = RecordDocument.MakeId("perf", $"{100_000 + (n % 500)}", $"2401{n:D10}");
        record.Platform = "perf";
        record.Shop = $"{100_000 + (n % 500)}";
        record.ShopKey = $"perf:{100_000 + (n % 500)}";
        record.RecordId = $"2401{n:D10}";
        record.CreateTime = 1_704_067_200 + n;
        record.UpdateTime = 1_704_067_200 + n;
        record.JobId = "perf-20240101-20240102-abcdef";
        record.SliceId = $"perf-20240101-20240102-abcdef/{100_000 + (n % 500)}/20240101";
        record.Jobs = [record.JobId];
        return record;
    }

    /// <summary>Each batch through the product and through the raw loop, taking turns; each side's own time summed.</summary>
    private (TimeSpan Product, TimeSpan Raw, long Duplicates) Interleaved(TempFolder folder, string prefix, int[] deliveries, DateTimeOffset now)
    {
        using var productDb = new BackfillDatabase(folder.File($"{prefix}product.db"));
        var store = new RecordStore(productDb);
        using var rawDb = new LiteDatabase(new ConnectionString { Filename = folder.File($"{prefix}raw.db"), Connection = ConnectionType.Direct }, BackfillMapper.Create());
        var rawWriter = LogWriter.Resolve(rawDb, folder.File($"{prefix}raw.db"));
        var orders = rawDb.GetCollection<RecordDocument>("orders");
        orders.EnsureIndex(o => o.ShopKey);
        orders.EnsureIndex("job_id", "MAP($.Jobs[*] => (@ + '|' + $._id))");
        long duplicates = 0;
        TimeSpan product = TimeSpan.Zero, raw = TimeSpan.Zero;
        var turn = 0;
        foreach (var chunk in deliveries.Chunk(Batch))
        {
            // Each side gets documents of its own (the product sets their Writes), made before its clock starts.
            var forProduct = chunk.Select(n => (Datasets.Orders, Order(n))).ToList();
            var forRaw = chunk.Select(Order).ToList();
            void Product()
            {
                var started = _time.GetTimestamp();
                duplicates += store.Upsert(forProduct, now);
                product += _time.GetElapsedTime(started);
            }

            void Raw()
            {
                var started = _time.GetTimestamp();
                rawWriter.Write(() =>
                {
                    rawDb.BeginTrans();
                    foreach (var order in forRaw)
                    {
                        order.SavedAt = now;
                        order.Writes = 1;
                        orders.Upsert(order);
                    }

                    return rawDb.Commit();
                });
                raw += _time.GetElapsedTime(started);
            }

            if (turn++ % 2 == 0)
            {
                Product();
                Raw();
            }
            else
            {
                Raw();
                Product();
            }
        }

        return (product, raw, duplicates);
    }
}
