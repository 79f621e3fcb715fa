using System.Globalization;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Core.Shops;
using Backfill.Storage.Records;
using LiteDB;
using LiteDB.Engine;

namespace Backfill.Storage;

/// <summary>
/// The scheduler's LiteDB file: jobs, slices, their transitions and the sink (a collection per dataset). One per process; the
/// scheduler process is its only writer.
/// </summary>
public sealed class BackfillDatabase : IDisposable
{
    internal const string JobStateDayIndex = "job_state_day";

    /// <summary>
    /// The one index on slices besides their id: a job's slices of one state in day order (days are ISO text), so the
    /// next pending ones are read without reading them all, and a job's slices (of a state) are a prefix of it
    /// (<see cref="SlicesByKey"/>).
    /// </summary>
    internal const string JobStateDayExpression = "$.JobId + '|' + $.State + '|' + $.FirstDay + '|' + $.Shop";

    /// <summary>
    /// Files at this version compare strings ordinally (ids as written), keep slices with one secondary index, the
    /// in-flight slices in a collection of their own, the sink's totals as counters per dataset and the sink's records
    /// whole (<see cref="RecordDocument"/>). Older files are brought forward when opened (<see cref="BringForward"/>).
    /// </summary>
    internal const int Version = 4;

    private const int ChunkSize = 10_000;

    /// <summary>
    /// How the file compares strings: code unit by code unit, as C#'s ordinal comparison. Under LiteDB's default, which
    /// ignores case and follows the culture, order ids that differ only by case are one document, and a job's id matches
    /// the slices of another job whose id differs by case.
    /// </summary>
    internal static readonly Collation Ordinal = new(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal);

    private const string SliceKeySeparator = "|";

    private readonly Lock _writer = new();
    private bool _inTransaction;
    private readonly Dictionary<Datasets, ILiteCollection<RecordDocument>> _records;
    private readonly LogWriter _log;

    public BackfillDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);

        Database = OpenOrdinal(Path);
        var version = Database.UserVersion;
        _log = LogWriter.Resolve(Database, Path);

        Jobs = Database.GetCollection<JobRecord>("jobs");
        Slices = Database.GetCollection<SliceRecord>("slices");
        Events = Database.GetCollection<TransitionDocument>("events");
        _records = DatasetNames.All.ToDictionary(d => d, d => Database.GetCollection<RecordDocument>(DatasetNames.Name(d)));
        SinkTotals = Database.GetCollection<SinkTotalsDocument>("sink_totals");
        Totals = Database.GetCollection<JobTotalsDocument>("job_totals");
        InFlight = Database.GetCollection<InFlightDocument>("in_flight");
        Plans = Database.GetCollection<PlanDocument>("plans");
        Shops = Database.GetCollection<ShopRecord>("shops");
        Quotas = Database.GetCollection<QuotaDocument>("quotas");
        Probes = Database.GetCollection<ProbeDocument>("probes");
        LostRanges = Database.GetCollection<LostRangeDocument>("lost_records");

        // Every collection exists before the first transaction: a collection created inside one, while another thread
        // reads it, is what LiteDB 5 reports as "page type must be collection page" (seen in CI at a job's creation).
        Jobs.EnsureIndex(j => j.State);
        Slices.EnsureIndex(JobStateDayIndex, JobStateDayExpression);
        Events.EnsureIndex(e => e.Subject);
        foreach (var records in _records.Values)
        {
            records.EnsureIndex(o => o.ShopKey);
            records.EnsureIndex(RecordDocument.JobsIndexName, RecordDocument.JobsIndexExpression);
        }

        SinkTotals.EnsureIndex(t => t.Id);
        Totals.EnsureIndex(t => t.Id);
        InFlight.EnsureIndex(f => f.Platform);
        Plans.EnsureIndex(p => p.Id);
        Shops.EnsureIndex(s => s.Platform);
        Quotas.EnsureIndex(q => q.Id);
        Probes.EnsureIndex(p => p.Id);
        LostRanges.EnsureIndex(l => l.Id);
        if (version < Version)
        {
            BringForward(version);
        }
    }

    public string Path { get; }

    internal LiteDatabase Database { get; }

    internal ILiteCollection<JobRecord> Jobs { get; }

    internal ILiteCollection<SliceRecord> Slices { get; }

    internal ILiteCollection<TransitionDocument> Events { get; }

    /// <summary>What the sink has saved per dataset, kept with every upsert (<see cref="RecordStore.Totals(Datasets)"/>), by dataset name.</summary>
    internal ILiteCollection<SinkTotalsDocument> SinkTotals { get; }

    /// <summary>The sink's records of one dataset (<see cref="RecordStore"/>).</summary>
    internal ILiteCollection<RecordDocument> Records(Datasets dataset) => _records[dataset];

    /// <summary>Per-job slice counts and orders, kept with every slice write (<see cref="JobStore.Totals(string)"/>).</summary>
    internal ILiteCollection<JobTotalsDocument> Totals { get; }

    /// <summary>Released and running slices by platform, kept with every slice write (<see cref="JobStore.InFlightSlices"/>).</summary>
    internal ILiteCollection<InFlightDocument> InFlight { get; }

    /// <summary>Jobs whose slices are being written, not stored yet (<see cref="JobStore.Create"/>).</summary>
    internal ILiteCollection<PlanDocument> Plans { get; }

    /// <summary>The shop registry (<see cref="ShopStore"/>).</summary>
    internal ILiteCollection<ShopRecord> Shops { get; }

    /// <summary>Each platform's quota account (<see cref="QuotaStore"/>).</summary>
    internal ILiteCollection<QuotaDocument> Quotas { get; }

    /// <summary>Records gone from a data topic before the sink read them (<see cref="RecordStore.Lost(Core.Data.LostRange, DateTimeOffset)"/>).</summary>
    internal ILiteCollection<LostRangeDocument> LostRanges { get; }

    /// <summary>One document rewritten by <see cref="Probe"/>.</summary>
    internal ILiteCollection<ProbeDocument> Probes { get; }

    /// <summary>
    /// Writes one small document in a transaction and returns once it is on disk, as every write of the product does:
    /// throws what a write would (a full disk, a file turned read-only, a database closed).
    /// </summary>
    public void Probe(DateTimeOffset now) => InTransaction(() => Probes.Upsert(new ProbeDocument { Id = "probe", At = now.UtcDateTime }));

    /// <summary>
    /// Runs <paramref name="work"/> in one LiteDB transaction (all or nothing), returning once it is on disk
    /// (<see cref="LogWriter"/>). Writers take turns: LiteDB 5's transactions are bound to a thread and concurrent ones
    /// have corrupted its page cache; readers are not held. Called again from inside <paramref name="work"/>, it joins
    /// the open transaction: the outermost call commits (or rolls back) everything its work wrote, once.
    /// </summary>
    internal T InTransaction<T>(Func<T> work)
    {
        lock (_writer)
        {
            // Only the thread holding the writer's lock reads or sets the flag, so a set flag is this thread's own open transaction.
            if (_inTransaction)
            {
                return work();
            }

            _inTransaction = true;
            try
            {
                return _log.Write(() => Transaction(work));
            }
            finally
            {
                _inTransaction = false;
            }
        }
    }

    /// <summary>
    /// The slices whose job/state/day key starts with <paramref name="prefix"/> (<c>job|</c> or <c>job|state|</c>), in
    /// key order, read as a range of the index. The file compares ordinally, so the range holds exactly the keys with
    /// that prefix: no other case of the id, no wildcard (LiteDB's LIKE ignores case and reads '_' and '%' as wildcards
    /// whatever the collation). Keys of a job whose id itself goes on with '|' would fall in it too: callers check the job.
    /// </summary>
    internal IEnumerable<SliceRecord> SlicesByKey(string prefix) => Slices.Find(KeysStartingWith(prefix));

    /// <summary>The query of <see cref="SlicesByKey"/>: an index range scan.</summary>
    internal static BsonExpression KeysStartingWith(string prefix)
    {
        if (!prefix.EndsWith(SliceKeySeparator, StringComparison.Ordinal))
        {
            throw new ArgumentException($"A slice key prefix ends with '{SliceKeySeparator}'.", nameof(prefix));
        }

        // Every key with the prefix lies between the prefix and the prefix with its '|' raised to '}', the next character.
        return Query.Between(JobStateDayExpression, prefix, string.Concat(prefix.AsSpan(0, prefix.Length - 1), "}"));
    }

    public void Dispose() => Database.Dispose();

    /// <summary>
    /// True when a process (this one included) has the file at <paramref name="path"/> open as a database: LiteDB keeps
    /// it open, locked against an exclusive opening, for as long as it runs. A file that does not exist is not held.
    /// </summary>
    public static bool IsHeld(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (DirectoryNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private T Transaction<T>(Func<T> work)
    {
        Database.BeginTrans();
        try
        {
            var result = work();
            Database.Commit();
            return result;
        }
        catch
        {
            Database.Rollback();
            throw;
        }
    }

    /// <summary>
    /// Opens the file at <paramref name="path"/>, made first if need be, so that it compares ordinally. A file made with
    /// another collation (LiteDB's default, before version 2) is copied once into a new ordinal file, document by
    /// document with its indexes, which then replaces it: the copy is checked (as many documents in every collection)
    /// and on disk before one rename puts it in place, so a process stopped at any moment leaves either the old file or
    /// the whole new one. Needs free disk for a copy of the file, once. LiteDB's own Rebuild cannot do it: since 5.0.19 it
    /// fails on any collection of more than 2,550 documents with a secondary index ("Detected loop in FindAll").
    /// </summary>
    private static LiteDatabase OpenOrdinal(string path)
    {
        // A collation is given only to create a file: LiteDB refuses to open a file of another collation with it.
        var exists = new FileInfo(path) is { Exists: true, Length: > 0 };
        var database = Open(path, exists ? null : Ordinal);
        if (database.Collation.SortOptions == CompareOptions.Ordinal)
        {
            return database;
        }

        var copy = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, $"{System.IO.Path.GetFileNameWithoutExtension(path)}-ordinal{System.IO.Path.GetExtension(path)}");
        try
        {
            CopyInto(database, copy);
        }
        finally
        {
            database.Dispose();
        }

        // A log left beside a data file is replayed into it when it is opened: the copy must not land beside the old one's.
        if (new[] { LogWriter.LogFile(path), LogWriter.LogFile(copy) }.FirstOrDefault(File.Exists) is { } log)
        {
            throw new IOException($"{log} is still there after its database was closed; {path} is left as it was (its ordinal copy is {copy}).");
        }

        using (var written = new FileStream(copy, FileMode.Open, FileAccess.ReadWrite))
        {
            written.Flush(flushToDisk: true);
        }

        File.Move(copy, path, overwrite: true);
        return Open(path, null);
    }

    private static LiteDatabase Open(string path, Collation? collation) =>
        new(new ConnectionString { Filename = path, Connection = ConnectionType.Direct, Collation = collation }, BackfillMapper.Create());

    /// <summary>
    /// Copies every collection of <paramref name="source"/> into a new ordinal file at <paramref name="path"/>: its
    /// indexes first (LiteDB keeps them while inserting), then its documents in transactions of 10,000.
    /// </summary>
    private static void CopyInto(LiteDatabase source, string path)
    {
        File.Delete(path);
        File.Delete(LogWriter.LogFile(path));
        using var target = Open(path, Ordinal);
        var log = LogWriter.Resolve(target, path);
        var indexes = source.GetCollection("$indexes").FindAll().ToList();
        foreach (var name in source.GetCollectionNames())
        {
            var from = source.GetCollection(name);
            var to = target.GetCollection(name);
            foreach (var index in indexes.Where(i => i["collection"].AsString == name && i["name"].AsString != "_id"))
            {
                to.EnsureIndex(index["name"].AsString, BsonExpression.Create(index["expression"].AsString), index["unique"].AsBoolean);
            }

            foreach (var chunk in from.FindAll().Chunk(10_000))
            {
                log.Write(() =>
                {
                    target.BeginTrans();
                    to.InsertBulk(chunk);
                    return target.Commit();
                });
            }

            if (to.LongCount() != from.LongCount())
            {
                throw new InvalidOperationException($"Copying collection {name} into {path} gave {to.LongCount()} documents of {from.LongCount()}; the database is left as it was.");
            }
        }

        foreach (var pragma in (string[])[Pragmas.USER_VERSION, Pragmas.CHECKPOINT, Pragmas.TIMEOUT, Pragmas.LIMIT_SIZE, Pragmas.UTC_DATE])
        {
            target.Pragma(pragma, source.Pragma(pragma));
        }
    }

    /// <summary>
    /// Brings a file of <paramref name="version"/> to <see cref="Version"/>. Before version 1: its in-flight slices are
    /// listed once (one scan of the slices), and the indexes every slice insert paid for and nothing reads any more are
    /// dropped (JobId, job/state, platform/state). Before version 2 (after <see cref="OpenOrdinal"/>): the sink's totals
    /// are counted once from its orders. Before version 3: the orders the sink kept as six fields become records
    /// (<see cref="OrdersToRecords"/>) and the sink's one set of totals becomes the orders' (docs/decisions.md). Before
    /// version 4: a job released before its bounds on the data topics were kept gets an empty start, its records counted
    /// from each partition's beginning (<see cref="RecordSpan"/>), so a missing start means only "not released yet".
    /// </summary>
    private void BringForward(int version)
    {
        if (version < 1)
        {
            InTransaction(() =>
            {
                InFlight.DeleteAll();
                InFlight.InsertBulk(Slices.Find(s => s.State == SliceState.Released || s.State == SliceState.Running)
                    .Select(s => new InFlightDocument { Id = s.Id, Platform = s.Platform }));
                return 0;
            });
            foreach (var index in (string[])["JobId", "job_state", "platform_state"])
            {
                Slices.DropIndex(index);
            }
        }

        if (version < 2)
        {
            InTransaction(() => SinkTotals.Upsert(SinkTotalsDocument.Count(Database.GetCollection(DatasetNames.Name(Datasets.Orders)), DatasetNames.Name(Datasets.Orders))));
        }

        if (version < 3)
        {
            OrdersToRecords();
            TotalsPerDataset();
        }

        if (version < 4)
        {
            InTransaction(() => Jobs.Update([.. Jobs.FindAll().Where(j => j.RecordsFrom is null && j.LastReleaseAt is not null).Select(ReleasedBeforeBounds)]));
        }

        Database.UserVersion = Version;
    }

    private static JobRecord ReleasedBeforeBounds(JobRecord job)
    {
        job.RecordsFrom = [];
        return job;
    }

    /// <summary>
    /// Turns the orders a file of version 2 holds (six fields of each: order_sn, status, times, amount, currency) into
    /// records in place, in transactions of <see cref="ChunkSize"/>: the record's JSON is those fields under the platform's
    /// names, its jobs the one that wrote it last. A stop part way leaves the rest as they were, converted at the next open
    /// (the version is raised last; a converted order is recognised by its JSON). Needs no disk for a copy.
    /// </summary>
    private void OrdersToRecords()
    {
        var orders = Database.GetCollection(DatasetNames.Name(Datasets.Orders));
        orders.DropIndex("JobId");
        BsonValue after = BsonValue.MinValue;
        while (true)
        {
            var chunk = orders.Find(Query.GT("_id", after), limit: ChunkSize).ToList();
            if (chunk.Count == 0)
            {
                break;
            }

            var old = chunk.Where(d => !d.ContainsKey(nameof(RecordDocument.Json)) && !d.ContainsKey(nameof(RecordDocument.JsonGzip))).ToList();
            if (old.Count > 0)
            {
                InTransaction(() => orders.Update(old.Select(AsRecord)));
            }

            after = chunk[^1]["_id"];
        }

        InTransaction(() =>
        {
            if (SinkTotals.FindById("sink") is { } sink)
            {
                sink.Id = DatasetNames.Name(Datasets.Orders);
                SinkTotals.Upsert(sink);
                SinkTotals.Delete("sink");
            }

            return 0;
        });
    }

    /// <summary>
    /// Counts each job's records and calls per dataset once from its slices (one scan of them), and its saved records as
    /// orders': what a file of version 2 held was orders only. A pruned job has no slices left: its emitted orders stand.
    /// </summary>
    private void TotalsPerDataset() => InTransaction(() =>
    {
        var counted = new Dictionary<string, JobTotalsDocument>(StringComparer.Ordinal);
        foreach (var slice in Slices.FindAll())
        {
            if (!counted.TryGetValue(slice.JobId, out var job))
            {
                counted[slice.JobId] = job = new JobTotalsDocument { Id = slice.JobId };
            }

            job.AddData(slice, +1);
        }

        var all = Totals.FindAll().ToList();
        foreach (var totals in all)
        {
            var orders = DatasetNames.Name(Datasets.Orders);
            totals.Records = counted.TryGetValue(totals.Id, out var job) ? job.Records : totals.Orders > 0 ? new() { [orders] = totals.Orders } : [];
            totals.Calls = job?.Calls ?? [];
            totals.SavedByData = totals.Saved > 0 ? new() { [orders] = totals.Saved } : [];
        }

        return Totals.Update(all);
    });

    private static BsonDocument AsRecord(BsonDocument order)
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["order_sn"] = order["OrderSn"].AsString ?? "",
            ["order_status"] = order["Status"].AsString ?? "",
            ["create_time"] = order["CreateTime"].AsInt64,
            ["update_time"] = order["UpdateTime"].AsInt64,
            ["total_amount"] = order["TotalAmount"].AsDecimal,
            ["currency"] = order["Currency"].AsString ?? "",
        });
        order[nameof(RecordDocument.RecordId)] = order["OrderSn"];
        order[nameof(RecordDocument.Json)] = json;
        order[nameof(RecordDocument.Jobs)] = new BsonArray(new BsonValue(order["JobId"].AsString ?? ""));
        foreach (var gone in (string[])["OrderSn", "Status", "TotalAmount", "Currency"])
        {
            order.Remove(gone);
        }

        return order;
    }
}
