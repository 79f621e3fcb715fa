using System.Text.Json.Serialization;
using Backfill.Core.Jobs;
using Backfill.Scheduling;
using Backfill.Storage;

namespace Backfill.Server.Jobs;

/// <summary>
/// The body of <c>GET /api/jobs/{id}</c>, serialized camelCase. Members are init properties rather than
/// constructor parameters so a new member (e.g. per-platform throttle figures) is one property and one line in
/// <see cref="Of(JobRecord, JobTotals, bool)"/>, with no caller to change.
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

    public required TimeSpan ReleaseEvery { get; init; }

    public required int SlicesPerRelease { get; init; }

    public required SliceTotals Slices { get; init; }

    public required OrderTotals Orders { get; init; }

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
        return Of(job, new JobTotals(SliceCounts.From(slices.Select(s => s.State)), slices.Sum(s => s.Orders)));
    }

    /// <summary>The status of <paramref name="job"/> from the totals the store keeps with every slice write (one read, however many slices).</summary>
    /// <param name="allSaved">Whether the sink has saved every order of the finished job (<see cref="SinkProgress"/>).</param>
    public static JobStatus Of(JobRecord job, JobTotals totals, bool allSaved = false)
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
            ReleaseEvery = job.ReleaseEvery,
            SlicesPerRelease = job.SlicesPerRelease,
            Slices = SliceTotals.Of(totals.Slices),
            Orders = new OrderTotals(totals.Orders, totals.Saved, allSaved),
            SlicesPrunedAt = totals.PrunedAt,
        };
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
public sealed record OrderTotals(long Emitted, long Saved = 0, bool AllSaved = false);
