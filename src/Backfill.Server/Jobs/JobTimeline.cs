using Backfill.Core.Jobs;
using Backfill.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Backfill.Server.Jobs;

/// <summary>
/// The body of <c>GET /api/jobs/{id}/timeline</c>: how many of the job's slices had finished (succeeded, failed or
/// cancelled) by each time, at most <see cref="MaxPoints"/> points, the last one always the latest finish.
/// </summary>
public sealed record JobTimeline(string Job, int Total, IReadOnlyList<TimelinePoint> Points)
{
    public const int MaxPoints = 120;

    /// <summary>The finish times, earliest first, thinned to <see cref="MaxPoints"/> evenly by count.</summary>
    internal static IReadOnlyList<TimelinePoint> Of(IEnumerable<DateTimeOffset> finishes)
    {
        var times = finishes.Order().ToList();
        var step = Math.Max(1, (int)Math.Ceiling(times.Count / (double)MaxPoints));
        var points = new List<TimelinePoint>();
        for (var i = step - 1; i < times.Count; i += step)
        {
            points.Add(new TimelinePoint(times[i], i + 1));
        }

        if (times.Count > 0 && points[^1].Finished != times.Count)
        {
            points.Add(new TimelinePoint(times[^1], times.Count));
        }

        return points;
    }
}

/// <summary>By <see cref="At"/>, <see cref="Finished"/> slices had finished.</summary>
public sealed record TimelinePoint(DateTimeOffset At, int Finished);

/// <summary>The body of <c>GET /api/jobs/{id}/history?slice=…</c>: the slice's recorded transitions, oldest first (none while it was never released).</summary>
public sealed record SliceEvents(string Slice, IReadOnlyList<SliceEvent> Events);

/// <summary>One transition: from and to are states (lower case), the reason as the scheduler recorded it.</summary>
public sealed record SliceEvent(DateTimeOffset At, string From, string To, string Reason);

internal static class JobTimelineApi
{
    private static readonly SliceState[] Finished = [SliceState.Succeeded, SliceState.Failed, SliceState.Cancelled];

    internal static Results<Ok<JobTimeline>, ProblemHttpResult> Timeline(string id, JobStore store)
    {
        if (store.Job(id) is null)
        {
            return JobsApi.NoSuchJob(id);
        }

        var slices = store.Slices(id);
        return TypedResults.Ok(new JobTimeline(id, slices.Count, JobTimeline.Of(slices.Where(s => Finished.Contains(s.State)).Select(s => s.UpdatedAt))));
    }

    internal static Results<Ok<SliceEvents>, ProblemHttpResult> History(string id, string? slice, JobStore store)
    {
        if (store.Job(id) is null)
        {
            return JobsApi.NoSuchJob(id);
        }

        if (string.IsNullOrEmpty(slice) || !slice.StartsWith(id + "/", StringComparison.Ordinal))
        {
            return TypedResults.Problem(
                $"Name one slice of job '{id}' with ?slice=, as 'GET /api/jobs/{id}/slices' lists them (got '{Paging.Shown(slice ?? "")}').",
                statusCode: StatusCodes.Status400BadRequest,
                title: "Which slice?");
        }

        // A slice never released has no transition yet; one whose finished job's slices were deleted keeps its history.
        var events = store.History(slice);
        return events.Count == 0 && store.Slice(slice) is null
            ? TypedResults.Problem($"No slice '{Paging.Shown(slice)}' in job '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "No such slice.")
            : TypedResults.Ok(new SliceEvents(slice, [.. events.Select(e => new SliceEvent(e.At, e.From.ToLowerInvariant(), e.To.ToLowerInvariant(), e.Reason))]));
    }
}
