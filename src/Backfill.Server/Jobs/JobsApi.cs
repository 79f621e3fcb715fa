using Backfill.Core.Jobs;
using Backfill.Core.Slicing;
using Backfill.Scheduling;
using Backfill.Server.Api;
using Backfill.Scheduling.Shops;
using Backfill.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Backfill.Server.Jobs;

/// <summary><c>POST /api/jobs</c> creates a backfill (or, with <c>"dryRun": true</c>, only estimates it); <c>GET /api/jobs/{id}</c> tells how far it is; <c>GET /api/jobs</c> lists them.</summary>
internal static class JobsApi
{
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var jobs = app.MapGroup("/api/jobs");
        jobs.MapPost("/", CreateAsync).Accepts<CreateJobRequest>("application/json");
        jobs.MapGet("/", List);
        jobs.MapGet("/{id}", Get);
        jobs.MapGet("/{id}/export", ExportApi.ExportAsync);
        return app;
    }

    internal static async Task<Results<Created<JobCreated>, Ok<JobEstimate>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        HttpRequest request,
        JobPlanner planner,
        JobEstimator estimator,
        IConfiguration configuration,
        IOptions<BackfillOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var platforms = configuration.GetSection("Platforms").GetChildren().Select(c => c.Key).ToList();
        var reading = JobRequestReader.Read(await StrictBody.BufferAsync(request, cancellationToken), platforms);
        if (reading.Unreadable is { } unreadable)
        {
            return TypedResults.Problem(unreadable, statusCode: StatusCodes.Status400BadRequest, title: "The body is not a job request.");
        }

        if (reading.Value is not { } ask)
        {
            return Invalid(reading.Errors);
        }

        try
        {
            if (ask.DryRun)
            {
                return TypedResults.Ok(estimator.Estimate(ask.ToRequest(time, DayClock.Zone(options.Value.TimeZone))));
            }

            var (job, _) = await planner.CreateAsync(ask.ToRequest(time, DayClock.Zone(options.Value.TimeZone)), cancellationToken);
            return TypedResults.Created($"/api/jobs/{Uri.EscapeDataString(job.Id)}", new JobCreated(job.Id));
        }
        catch (InvalidRangeException e)
        {
            return Invalid(new Dictionary<string, string[]> { ["range"] = [e.Message] });
        }
        catch (InvalidJobRequestException e)
        {
            return Invalid(new Dictionary<string, string[]> { [e.Member] = [e.Message] });
        }
        catch (JobOverlapException e)
        {
            return JobControlApi.Overlapping(e);
        }
    }

    /// <summary>A page of the jobs, newest first: <c>limit</c> of them (default <see cref="JobList.DefaultLimit"/>), from after the job <c>after</c> names (the previous page's <c>next</c>).</summary>
    internal static Results<Ok<JobList>, ValidationProblem> List(string? state, string? limit, string? after, JobStore store, PlatformBoard board, SinkProgress sink, ShopRegistry shops)
    {
        JobState? filter = null;
        if (!string.IsNullOrEmpty(state))
        {
            if (!Enum.TryParse<JobState>(state, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(state, out _))
            {
                return Invalid(new Dictionary<string, string[]> { ["state"] = [$"unknown state '{state}'; one of {string.Join(", ", Enum.GetNames<JobState>().Select(n => n.ToLowerInvariant()))}"] });
            }

            filter = parsed;
        }

        if (!Paging.TryLimit(limit, JobList.DefaultLimit, JobList.MaxLimit, out var size, out var badLimit))
        {
            return Invalid(new Dictionary<string, string[]> { ["limit"] = [badLimit] });
        }

        IEnumerable<JobRecord> jobs = store.Jobs(filter);
        if (!string.IsNullOrEmpty(after))
        {
            if (store.Job(after) is not { } from)
            {
                return Invalid(new Dictionary<string, string[]> { ["after"] = [$"after must be a job id, as the previous page's 'next' gives it (got '{Paging.Shown(after)}')."] });
            }

            // Newest first, then by id: the jobs that follow the one named, wherever its state is now.
            jobs = jobs.Where(j => j.CreatedAt < from.CreatedAt || (j.CreatedAt == from.CreatedAt && string.CompareOrdinal(j.Id, from.Id) > 0));
        }

        var page = jobs.Take(size + 1).ToList();
        var shown = page.Take(size).ToList();
        var platforms = shown.Select(j => j.Platform).Distinct(StringComparer.Ordinal).ToDictionary(p => p, board.Status, StringComparer.Ordinal);
        var totals = store.Totals(shown);
        var warnings = shops.JobWarnings();
        return TypedResults.Ok(new JobList(
            [.. shown.Select(j => JobStatus.Of(j, totals[j.Id], sink.Of(j)) with { Platforms = [platforms[j.Platform]], ShopWarnings = warnings(j) })],
            page.Count > size ? shown[^1].Id : null));
    }

    /// <param name="sink">Whether finished jobs' orders are saved, or some were lost.</param>
    /// <param name="shops">The shop registry, for the warnings about the job's shops.</param>
    internal static Results<Ok<JobStatus>, ProblemHttpResult> Get(string id, JobStore store, PlatformBoard board, SinkProgress sink, ShopRegistry shops)
    {
        var job = store.Job(id);
        return job is null
            ? NoSuchJob(id)
            : TypedResults.Ok(JobStatus.Of(job, store.Totals(id), sink.Of(job)) with { Platforms = [board.Status(job.Platform)], ShopWarnings = shops.JobWarnings()(job) });
    }

    /// <summary>404 naming the job asked for: every route under <c>/api/jobs/{id}</c> answers an unknown job so.</summary>
    internal static ProblemHttpResult NoSuchJob(string id) =>
        TypedResults.Problem($"No job '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "No such job.");

    private static ValidationProblem Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(m => m)), title: "The job request is invalid.");
}
