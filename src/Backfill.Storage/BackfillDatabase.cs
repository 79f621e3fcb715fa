using Backfill.Core.Jobs;
using LiteDB;

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
    /// next pending ones are read without reading them all, and a job's slices (of a state) are a prefix of it. Queried
    /// with LIKE 'prefix%', which LiteDB matches ignoring case and with '_' as a wildcard: callers check the job and
    /// state of what it returns.
    /// </summary>
    internal const string JobStateDayExpression = "$.JobId + '|' + $.State + '|' + $.FirstDay + '|' + $.Shop";

    /// <summary>
    /// Files at this version keep slices with one secondary index and the in-flight slices in a collection of their own.
    /// Older files (version 0) had job/state and platform/state indexes too; they are brought forward when opened.
    /// </summary>
    private const int Version = 1;

    private readonly Lock _writer = new();
    private readonly LogWriter _log;

    public BackfillDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        Database = new LiteDatabase(new ConnectionString { Filename = Path, Connection = ConnectionType.Direct }, BackfillMapper.Create());
        _log = LogWriter.Resolve(Database, Path);

        Jobs = Database.GetCollection<JobRecord>("jobs");
        Slices = Database.GetCollection<SliceRecord>("slices");
        Events = Database.GetCollection<TransitionDocument>("events");
        Orders = Database.GetCollection<OrderDocument>("orders");
        Totals = Database.GetCollection<JobTotalsDocument>("job_totals");
        InFlight = Database.GetCollection<InFlightDocument>("in_flight");
        Plans = Database.GetCollection<PlanDocument>("plans");

        // Every collection exists before the first transaction: a collection created inside one, while another thread
        // reads it, is what LiteDB 5 reports as "page type must be collection page" (seen in CI at a job's creation).
        Jobs.EnsureIndex(j => j.State);
        Slices.EnsureIndex(JobStateDayIndex, JobStateDayExpression);
        Events.EnsureIndex(e => e.Subject);
        Orders.EnsureIndex(o => o.ShopKey);
        Orders.EnsureIndex(o => o.JobId);
        Totals.EnsureIndex(t => t.Id);
        InFlight.EnsureIndex(f => f.Platform);
        Plans.EnsureIndex(p => p.Id);
        if (Database.UserVersion < Version)
        {
            BringForward();
        }
    }

    public string Path { get; }

    internal LiteDatabase Database { get; }

    internal ILiteCollection<JobRecord> Jobs { get; }

    internal ILiteCollection<SliceRecord> Slices { get; }

    internal ILiteCollection<TransitionDocument> Events { get; }

    internal ILiteCollection<OrderDocument> Orders { get; }

    /// <summary>Per-job slice counts and orders, kept with every slice write (<see cref="JobStore.Totals(string)"/>).</summary>
    internal ILiteCollection<JobTotalsDocument> Totals { get; }

    /// <summary>Released and running slices by platform, kept with every slice write (<see cref="JobStore.InFlightSlices"/>).</summary>
    internal ILiteCollection<InFlightDocument> InFlight { get; }

    /// <summary>Jobs whose slices are being written, not stored yet (<see cref="JobStore.Create"/>).</summary>
    internal ILiteCollection<PlanDocument> Plans { get; }

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
    /// A file from before version 1: its in-flight slices are listed once (one scan of the slices), and the indexes
    /// every slice insert paid for and nothing reads any more are dropped (JobId, job/state, platform/state).
    /// </summary>
    private void BringForward()
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

        Database.UserVersion = Version;
    }
}
