using Backfill.Core.Jobs;
using LiteDB;

namespace Backfill.Storage;

/// <summary>
/// The scheduler's LiteDB file: jobs, slices, their transitions and the order sink. One per process; the
/// scheduler process is its only writer.
/// </summary>
public sealed class BackfillDatabase : IDisposable
{
    internal const string JobStateIndex = "job_state";
    internal const string PlatformStateIndex = "platform_state";
    internal const string JobStateExpression = "$.JobId + '|' + $.State";
    internal const string PlatformStateExpression = "$.Platform + '|' + $.State";
    internal const string JobStateDayIndex = "job_state_day";

    /// <summary>
    /// A job's slices of one state in day order (days are ISO text): the next pending ones are read without reading them
    /// all. Queried with LIKE 'prefix%', which LiteDB matches ignoring case and with '_' as a wildcard: callers check the
    /// job and state of what it returns.
    /// </summary>
    internal const string JobStateDayExpression = "$.JobId + '|' + $.State + '|' + $.FirstDay + '|' + $.Shop";

    private readonly Lock _writer = new();

    public BackfillDatabase(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        Database = new LiteDatabase(new ConnectionString { Filename = Path, Connection = ConnectionType.Direct }, BackfillMapper.Create());

        Jobs = Database.GetCollection<JobRecord>("jobs");
        Slices = Database.GetCollection<SliceRecord>("slices");
        Events = Database.GetCollection<TransitionDocument>("events");
        Orders = Database.GetCollection<OrderDocument>("orders");
        Totals = Database.GetCollection<JobTotalsDocument>("job_totals");

        // Every collection exists before the first transaction: a collection created inside one, while another thread
        // reads it, is what LiteDB 5 reports as "page type must be collection page" (seen in CI at a job's creation).
        Jobs.EnsureIndex(j => j.State);
        Slices.EnsureIndex(JobStateIndex, JobStateExpression);
        Slices.EnsureIndex(PlatformStateIndex, PlatformStateExpression);
        Slices.EnsureIndex(JobStateDayIndex, JobStateDayExpression);

        // A job's slices are read through job_state (one seek per state): an index on JobId alone only cost every insert
        // (a 54,750-slice job writes each index 54,750 times); files made before keep none.
        Slices.DropIndex("JobId");
        Events.EnsureIndex(e => e.Subject);
        Orders.EnsureIndex(o => o.ShopKey);
        Orders.EnsureIndex(o => o.JobId);
        Totals.EnsureIndex(t => t.Id);
    }

    public string Path { get; }

    internal LiteDatabase Database { get; }

    internal ILiteCollection<JobRecord> Jobs { get; }

    internal ILiteCollection<SliceRecord> Slices { get; }

    internal ILiteCollection<TransitionDocument> Events { get; }

    internal ILiteCollection<OrderDocument> Orders { get; }

    /// <summary>Per-job slice counts and orders, kept with every slice write (<see cref="JobStore.Totals(string)"/>).</summary>
    internal ILiteCollection<JobTotalsDocument> Totals { get; }

    /// <summary>
    /// Runs <paramref name="work"/> in one LiteDB transaction (all or nothing). Writers take turns: LiteDB 5's
    /// transactions are bound to a thread and concurrent ones have corrupted its page cache; readers are not held.
    /// </summary>
    internal T InTransaction<T>(Func<T> work)
    {
        lock (_writer)
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
    }

    public void Dispose() => Database.Dispose();
}
