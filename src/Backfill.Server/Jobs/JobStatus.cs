using System.Text.Json.Serialization;
using Backfill.Core.Release;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Scheduling;
using Backfill.Storage;

namespace Backfill.Server.Jobs;

/// <summary>
/// The body of <c>GET /api/jobs/{id}</c>, serialized camelCase. Members are init properties rather than
/// constructor parameters so a new member (e.g. per-platform throttle figures) is one property and one line in
/// <see cref="Of(JobRecord, JobTotals, SinkState)"/>, with no caller to change.
/// </summary>
public sealed record JobStatus
{
    public required string Job { get; init; }

    /// <summary>Lower case: <c>running</c>, <c>paused</c>, <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>.</summary>
    public required string State { get; init; }

    public required string Platform { get; init; }

    public required IReadOnlyList<string> Shops { get; init; }

    public required DateOnly From { get; init; }

    /// <summary>Exclusive.</summary>
    public required DateOnly To { get; init; }

    /// <summary>Who asked: <c>cli</c>, <c>api</c>, <c>demo</c>, or the name of the schedule that created it.</summary>
    public required string Source { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The release cadence: <c>HH:MM:SS</c>, or <c>auto</c> (whenever the platform has room).</summary>
    public required string ReleaseEvery { get; init; }

    /// <summary>Slices of each shop released per period.</summary>
    public required int SlicesPerRelease { get; init; }

    /// <summary><c>high</c>, <c>normal</c> or <c>low</c>: the job's weight in its platform's room for slices in flight.</summary>
    public string Priority { get; init; } = "normal";

    public required SliceTotals Slices { get; init; }

    /// <summary>What each slice pulls, by name.</summary>
    public IReadOnlyList<string> Data { get; init; } = [DatasetNames.Name(Core.Data.Datasets.Orders)];

    /// <summary>The order time the days are read by; null: the platform's configured <c>TimeRangeField</c>.</summary>
    public string? TimeField { get; init; }

    /// <summary>The orders dataset's records emitted and saved (the sink's progress on the job's orders).</summary>
    public required OrderTotals Orders { get; init; }

    /// <summary>Per dataset the job pulls: platform calls, records emitted, record messages saved.</summary>
    public IReadOnlyList<DatasetTotals> Datasets { get; init; } = [];

    /// <summary>
    /// When the finished job's slices and their transitions were deleted (<c>Backfill:KeepFinishedJobs</c>); null while
    /// they are kept (and left out of the JSON). The counts stay as they were when it finished.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? SlicesPrunedAt { get; init; }

    /// <summary>
    /// What to act on about the shops of an unfinished job: one needs authorization, is disabled, its last refresh failed,
    /// or a token of it is about to lapse (each prefixed <c>shop {id}: </c>); null, and left out of the JSON, when there is none.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? ShopWarnings { get; init; }

    /// <summary>The budget of the job's platform as the fleet reported it: throttles, cool-off, why releases hold, lane rates.</summary>
    public IReadOnlyList<PlatformStatus> Platforms { get; init; } = [];

    /// <summary>The status of <paramref name="job"/> from one read of its slices, so the counts add up.</summary>
    public static JobStatus Of(JobRecord job, IReadOnlyList<SliceRecord> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        return Of(job, new JobTotals(SliceCounts.From(slices.Select(s => s.State)), slices.Sum(s => s.Orders))
        {
            Records = Sum(slices.Select(s => s.RecordsPerData())),
            Calls = Sum(slices.Select(s => s.CallsPerData().ToDictionary(c => c.Key, c => (long)c.Value))),
        });
    }

    /// <summary>The status of <paramref name="job"/> from the totals the store keeps with every slice write (one read, however many slices).</summary>
    /// <param name="sink">Whether the sink has saved every order of the finished job, or found some gone (<see cref="SinkProgress"/>).</param>
    public static JobStatus Of(JobRecord job, JobTotals totals, SinkState sink = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(totals);
        return new JobStatus
        {
            Job = job.Id,
            State = job.State.ToString().ToLowerInvariant(),
            Platform = job.Platform,
            Shops = job.Shops,
            From = job.FirstDay,
            To = job.EndDay,
            Source = job.Source,
            CreatedAt = job.CreatedAt,
            FinishedAt = job.FinishedAt,
            ReleaseEvery = ReleaseCadence.Format(job.ReleaseEvery),
            SlicesPerRelease = job.SlicesPerRelease,
            Priority = JobPriorityNames.Name(job.Priority),
            Slices = SliceTotals.Of(totals.Slices),
            Data = DatasetNames.Names(job.Data),
            TimeField = job.TimeField,
            Orders = new OrderTotals(totals.Records.Count > 0 ? totals.Records.GetValueOrDefault(OrdersName) : totals.Orders, totals.SavedByData.GetValueOrDefault(OrdersName), sink.AllSaved, sink.Lost),
            Datasets = [.. DatasetNames.Names(job.Data)
                .Select(name => new DatasetTotals(name, totals.Calls.GetValueOrDefault(name), totals.Records.GetValueOrDefault(name), totals.SavedByData.GetValueOrDefault(name)))],
            SlicesPrunedAt = totals.PrunedAt,
        };
    }

    private static string OrdersName => DatasetNames.Name(Core.Data.Datasets.Orders);

    private static Dictionary<string, long> Sum(IEnumerable<IReadOnlyDictionary<string, long>> counts)
    {
        var sum = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, count) in counts.SelectMany(c => c))
        {
            sum[name] = sum.GetValueOrDefault(name) + count;
        }

        return sum;
    }
}

/// <summary>Slices of a job by state.</summary>
public sealed record SliceTotals(int Total, int Pending, int Released, int Running, int Succeeded, int Failed, int Cancelled)
{
    public static SliceTotals Of(SliceCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return new(counts.Total, counts.Pending, counts.Released, counts.Running, counts.Succeeded, counts.Failed, counts.Cancelled);
    }
}

/// <summary>Orders of a job: how far the sink is behind the workers.</summary>
/// <param name="Emitted">Every order workers sent in applied steps, a redone step's again (the sink absorbs repeats).</param>
/// <param name="Saved">Order messages of the job the sink has saved, repeats included: it catches up with, and may pass, <paramref name="Emitted"/>.</param>
/// <param name="AllSaved">
/// The job is finished and the sink has saved every order it emitted, decided exactly on Kafka offsets, not by comparing
/// the counts (<see cref="SinkProgress"/>). <c>status --watch</c>, <c>demo</c> and <c>run</c> report a job succeeded only then.
/// </param>
/// <param name="Lost">
/// Records (of any dataset) that left their topic before the sink read them, within the finished job's span on the
/// topics: non-zero means some of the job's records may be missing (<see cref="SinkState.Lost"/>); run it again.
/// </param>
public sealed record OrderTotals(long Emitted, long Saved = 0, bool AllSaved = false, long Lost = 0);

/// <summary>One dataset of a job.</summary>
/// <param name="Calls">Platform calls its slices made for it (a finance-only job's list calls count as finance).</param>
/// <param name="Records">Records workers emitted, a redone step's again.</param>
/// <param name="Saved">Record messages of it the sink saved, repeats included.</param>
public sealed record DatasetTotals(string Data, long Calls, long Records, long Saved);
