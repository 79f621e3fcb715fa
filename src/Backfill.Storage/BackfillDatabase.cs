using System.Globalization;
using Backfill.Core.Jobs;
using LiteDB;
using LiteDB.Engine;

namespace Backfill.Storage;

/// <summary>
/// The scheduler's LiteDB file: jobs, slices, their transitions and the order sink. One per process; the
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
    /// in-flight slices in a collection of their own and the sink's totals as counters. Older files are brought forward
    /// when opened (<see cref="BringForward"/>).
    /// </summary>
    internal const int Version = 2;

    /// <summary>
    /// How the file compares strings: code unit by code unit, as C#'s ordinal comparison. LiteDB's default ignores case
    /// and follows the culture, so order ids that differ only by case were one document, and a job's id matched the
    /// slices of another job whose id differs by case.
    /// </summary>
    internal static readonly Collation Ordinal = new(CultureInfo.InvariantCulture.LCID, CompareOptions.Ordinal);

    private const string SliceKeySeparator = "|";

    private readonly Lock _writer = new();
    private readonly LogWriter _log;

    public BackfillDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);

        // A collation is given only to create a file: LiteDB refuses to open a file of another collation with it.
        var exists = new FileInfo(Path) is { Exists: true, Length: > 0 };
        Database = new LiteDatabase(new ConnectionString { Filename = Path, Connection = ConnectionType.Direct, Collation = exists ? null : Ordinal }, BackfillMapper.Create());
        var version = Database.UserVersion;
        if (version < 2)
        {
            CompareOrdinally();
        }

        _log = LogWriter.Resolve(Database, Path);

        Jobs = Database.GetCollection<JobRecord>("jobs");
        Slices = Database.GetCollection<SliceRecord>("slices");
        Events = Database.GetCollection<TransitionDocument>("events");
        Orders = Database.GetCollection<OrderDocument>("orders");
        SinkTotals = Database.GetCollection<SinkTotalsDocument>("sink_totals");
        Totals = Database.GetCollection<JobTotalsDocument>("job_totals");
        InFlight = Database.GetCollection<InFlightDocument>("in_flight");

        // Every collection exists before the first transaction: a collection created inside one, while another thread
        // reads it, is what LiteDB 5 reports as "page type must be collection page" (seen in CI at a job's creation).
        Jobs.EnsureIndex(j => j.State);
        Slices.EnsureIndex(JobStateDayIndex, JobStateDayExpression);
        Events.EnsureIndex(e => e.Subject);
        Orders.EnsureIndex(o => o.ShopKey);
        Orders.EnsureIndex(o => o.JobId);
        SinkTotals.EnsureIndex(t => t.Id);
        Totals.EnsureIndex(t => t.Id);
        InFlight.EnsureIndex(f => f.Platform);
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

    internal ILiteCollection<OrderDocument> Orders { get; }

    /// <summary>What the sink has saved, kept with every upsert (<see cref="OrderStore.Totals"/>).</summary>
    internal ILiteCollection<SinkTotalsDocument> SinkTotals { get; }

    /// <summary>Per-job slice counts and orders, kept with every slice write (<see cref="JobStore.Totals(string)"/>).</summary>
    internal ILiteCollection<JobTotalsDocument> Totals { get; }

    /// <summary>Released and running slices by platform, kept with every slice write (<see cref="JobStore.InFlightSlices"/>).</summary>
    internal ILiteCollection<InFlightDocument> InFlight { get; }

    /// <summary>
    /// Runs <paramref name="work"/> in one LiteDB transaction (all or nothing), returning once it is on disk
    /// (<see cref="LogWriter"/>). Writers take turns: LiteDB 5's transactions are bound to a thread and concurrent ones
    /// have corrupted its page cache; readers are not held.
    /// </summary>
    internal T InTransaction<T>(Func<T> work)
    {
        lock (_writer)
        {
            return _log.Write(() => Transaction(work));
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
    /// A file made with LiteDB's default collation is rebuilt with the ordinal one, before anything reads it: LiteDB
    /// copies every document and index into a new file and keeps the old one as <c>name-backup.ext</c>, which is deleted
    /// once the rebuild reported no unreadable page. Needs free disk for a copy of the file, once.
    /// </summary>
    private void CompareOrdinally()
    {
        if (Database.Collation.SortOptions == CompareOptions.Ordinal)
        {
            return;
        }

        // Named as LiteDB names them at this moment: the first free "-backup" name beside each file.
        var backups = new[] { Path, LogWriter.LogFile(Path) }.Select(f => FreeName(f, "-backup")).ToList();
        Database.Rebuild(new RebuildOptions { Collation = Ordinal });
        if (Database.CollectionExists("_rebuild_errors"))
        {
            throw new InvalidOperationException(
                $"Rebuilding {Path} to compare ids case-sensitively found unreadable pages (listed in its collection _rebuild_errors); " +
                $"what they held is missing from it. The file as it was is kept as {backups[0]}: restore it or keep the rebuilt file, then start again.");
        }

        foreach (var backup in backups)
        {
            File.Delete(backup);
        }
    }

    /// <summary>
    /// Brings a file of <paramref name="version"/> to <see cref="Version"/>. Before version 1: its in-flight slices are
    /// listed once (one scan of the slices), and the indexes every slice insert paid for and nothing reads any more are
    /// dropped (JobId, job/state, platform/state). Before version 2 (after <see cref="CompareOrdinally"/>): the sink's
    /// totals are counted once from its orders.
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
            InTransaction(() => SinkTotals.Upsert(SinkTotalsDocument.Count(Orders)));
        }

        Database.UserVersion = Version;
    }

    private static string FreeName(string file, string suffix)
    {
        var (dir, name, ext) = (System.IO.Path.GetDirectoryName(file)!, System.IO.Path.GetFileNameWithoutExtension(file), System.IO.Path.GetExtension(file));
        var candidate = System.IO.Path.Combine(dir, name + suffix + ext);
        for (var n = 1; File.Exists(candidate); n++)
        {
            candidate = System.IO.Path.Combine(dir, $"{name}{suffix}-{n}{ext}");
        }

        return candidate;
    }
}
