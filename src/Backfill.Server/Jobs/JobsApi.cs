using Backfill.Core.Jobs;
using Backfill.Core.Slicing;
using Backfill.Scheduling;
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
        jobs.MapPost("/", CreateAsync);
        jobs.MapGet("/", List);
        jobs.MapGet("/{id}", Get);
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
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellationToken);
        var platforms = configuration.GetSection("Platforms").GetChildren().Select(c => c.Key).ToList();
        var reading = JobRequestReader.Read(body.GetBuffer().AsMemory(0, (int)body.Length), platforms);
        if (reading.Unreadable is { } unreadable)
        {
            return TypedResults.Problem(unreadable, statusCode: StatusCodes.Status400BadRequest, title: "The body is not a job request.");
        }

        if (reading.Ask is not { } ask)
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
        catch (JobOverlapException e)
        {
            return JobControlApi.Overlapping(e);
        }
    }

    internal static Results<Ok<JobList>, ValidationProblem> List(string? state, JobStore store, PlatformBoard board, SinkProgress? sink = null)
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

        var jobs = store.Jobs(filter);
        var platforms = jobs.Select(j => j.Platform).Distinct(StringComparer.Ordinal).ToDictionary(p => p, board.Status, StringComparer.Ordinal);
        var totals = store.Totals(jobs);
        return TypedResults.Ok(new JobList([.. jobs.Select(j => JobStatus.Of(j, totals[j.Id], sink?.AllSaved(j) ?? false) with { Platforms = [platforms[j.Platform]] })]));
    }

    /// <param name="sink">Whether finished jobs' orders are saved; absent only where no scheduler runs (the store's benchmark), and then they read as not all saved.</param>
    internal static Results<Ok<JobStatus>, ProblemHttpResult> Get(string id, JobStore store, PlatformBoard board, SinkProgress? sink = null)
    {
        var job = store.Job(id);
        return job is null
            ? TypedResults.Problem($"No job '{id}'.", statusCode: StatusCodes.Status404NotFound, title: "No such job.")
            : TypedResults.Ok(JobStatus.Of(job, store.Totals(id), sink?.AllSaved(job) ?? false) with { Platforms = [board.Status(job.Platform)] });
    }

    private static ValidationProblem Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(m => m)), title: "The job request is invalid.");
}
