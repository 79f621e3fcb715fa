using Backfill.Core.Data;
using LiteDB;

namespace Backfill.Storage.Records;

/// <summary>
/// The sink: one collection per dataset (<c>orders</c>, <c>finance</c>, <c>returns</c>), idempotent upserts keyed by
/// <c>platform:shop:id</c> (R10), the platform's record kept whole.
/// </summary>
public sealed class RecordStore(BackfillDatabase db)
{
    /// <summary>Saves a batch of any datasets in one transaction; returns how many of them were already stored (or came twice in it).</summary>
    /// <remarks>
    /// Each distinct id of the batch is looked up once (its stored deliveries and jobs are carried on), the new records are
    /// inserted in bulk and the repeats updated in one call per dataset: a lookup and a write per delivery made the sink
    /// half as fast as a raw upsert loop (docs/performance.md, P6; one <c>_id IN […]</c> query for the batch was slower
    /// still, LiteDB's planner does not seek the index for it). The last delivery of a record wins, as one by one. The
    /// sink's totals per dataset and each job's saved records are counted in the same transaction.
    /// </remarks>
    public int Upsert(IReadOnlyCollection<(Datasets Dataset, RecordDocument Record)> batch, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return db.InTransaction(() =>
        {
            var duplicates = 0;
            foreach (var part in batch.GroupBy(r => r.Dataset))
            {
                duplicates += UpsertOne(part.Key, [.. part.Select(r => r.Record)], now);
            }

            // What each job's status shows as saved beside emitted; a job no longer stored has no totals to keep.
            foreach (var job in batch.GroupBy(r => r.Record.JobId, StringComparer.Ordinal))
            {
                if (db.Totals.FindById(job.Key) is { } totals)
                {
                    foreach (var dataset in job.GroupBy(r => r.Dataset))
                    {
                        totals.AddSaved(DatasetNames.Name(dataset.Key), dataset.Count());
                    }

                    db.Totals.Update(totals);
                }
            }

            return duplicates;
        });
    }

    public RecordDocument? Find(Datasets dataset, string id) => db.Records(dataset).FindById(id);

    /// <summary>Keeps a run of records that left a data topic before the sink read them, for the jobs whose records it may have held (<see cref="RecordSpan"/>).</summary>
    public void Lost(LostRange range, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(range);
        var document = LostRangeDocument.Of(range, at);
        db.InTransaction(() => db.LostRanges.FindById(document.Id) is null && db.LostRanges.Insert(document) is not null);
    }

    /// <summary>Every run of records the sink found gone, oldest first.</summary>
    public IReadOnlyList<LostRange> Lost() => [.. db.LostRanges.FindAll().OrderBy(l => l.SeenAt).Select(l => l.ToRange())];

    /// <summary>Every saved record of one dataset of one shop, by id: what a check of the sink after a re-run compares.</summary>
    public IReadOnlyList<RecordDocument> OfShop(Datasets dataset, string platform, string shop) =>
        [.. db.Records(dataset).Find(Query.EQ(nameof(RecordDocument.ShopKey), $"{platform}:{shop}")).OrderBy(o => o.Id, StringComparer.Ordinal)];

    /// <summary>
    /// The records of one dataset that <paramref name="job"/> delivered (it is among their last <see cref="RecordDocument.JobsKept"/>
    /// jobs), by id, read as they are enumerated: never all held at once.
    /// </summary>
    public IEnumerable<RecordDocument> OfJob(Datasets dataset, string job) =>
        // A job id that itself went on with '|' would fall in the range: the record's jobs say.
        db.Records(dataset).Find(DeliveredBy(job)).Where(r => r.Jobs.Contains(job, StringComparer.Ordinal));

    /// <summary>The range of the job/id index that holds <paramref name="job"/>'s records: its keys start <c>{job}|</c>.</summary>
    internal static BsonExpression DeliveredBy(string job) =>
        BsonExpression.Create($"{RecordDocument.JobsIndexExpression} ANY BETWEEN @0 AND @1", new BsonValue(job + "|"), new BsonValue(job + "}"));

    /// <summary>How many records of one dataset <paramref name="job"/> delivered (<see cref="OfJob"/>).</summary>
    public long CountOfJob(Datasets dataset, string job) => db.Records(dataset).LongCount(DeliveredBy(job));


    /// <summary>Records of one dataset of some shops whose <paramref name="timeField"/> falls in <c>[from, to)</c>.</summary>
    public long Count(Datasets dataset, string platform, IEnumerable<string> shops, DateTimeOffset from, DateTimeOffset to, string timeField = TimeFields.CreateTime)
    {
        ArgumentNullException.ThrowIfNull(shops);
        var field = timeField == TimeFields.UpdateTime ? "$.UpdateTime" : "$.CreateTime";
        long lo = from.ToUnixTimeSeconds(), hi = to.ToUnixTimeSeconds();
        return shops.Sum(shop => (long)db.Records(dataset).Count(Query.And(
            Query.EQ(nameof(RecordDocument.ShopKey), $"{platform}:{shop}"),
            Query.GTE(field, lo),
            Query.LT(field, hi))));
    }

    /// <summary>What the sink holds and absorbed of one dataset: one document read, however many records are stored.</summary>
    public SinkTotals Totals(Datasets dataset) => (db.SinkTotals.FindById(DatasetNames.Name(dataset)) ?? new SinkTotalsDocument()).ToTotals();

    /// <summary>The totals of every dataset, in <see cref="DatasetNames.All"/>'s order.</summary>
    public IReadOnlyDictionary<Datasets, SinkTotals> Totals() => DatasetNames.All.ToDictionary(d => d, Totals);

    private int UpsertOne(Datasets dataset, IReadOnlyList<RecordDocument> batch, DateTimeOffset now)
    {
        var records = db.Records(dataset);
        var stored = new Dictionary<string, RecordDocument>(StringComparer.Ordinal);
        foreach (var id in batch.Select(o => o.Id).Distinct(StringComparer.Ordinal))
        {
            if (records.FindById(id) is { } existing)
            {
                stored[id] = existing;
            }
        }

        var fresh = new Dictionary<string, RecordDocument>(StringComparer.Ordinal);
        var updated = new Dictionary<string, RecordDocument>(StringComparer.Ordinal);
        var duplicates = 0;
        foreach (var record in batch)
        {
            record.SavedAt = now;
            if (fresh.Remove(record.Id, out var first) || updated.Remove(record.Id, out first) || stored.TryGetValue(record.Id, out first))
            {
                record.Writes = first.Writes + 1;
                record.Jobs = RecordDocument.WithJob(first.Jobs, record.JobId);
                (stored.ContainsKey(record.Id) ? updated : fresh)[record.Id] = record;
                duplicates++;
            }
            else
            {
                record.Writes = 1;
                record.Jobs = RecordDocument.WithJob([], record.JobId);
                fresh[record.Id] = record;
            }
        }

        records.InsertBulk(fresh.Values);
        records.Update(updated.Values);
        var totals = db.SinkTotals.FindById(DatasetNames.Name(dataset)) ?? new SinkTotalsDocument { Id = DatasetNames.Name(dataset) };
        totals.Unique += fresh.Count;
        totals.Writes += batch.Count;
        db.SinkTotals.Upsert(totals);
        return duplicates;
    }
}
