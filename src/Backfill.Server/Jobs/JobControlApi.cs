using Backfill.Core.Release;
using Backfill.Core.Jobs;
using Backfill.Scheduling;
using Backfill.Scheduling.Shops;
using Backfill.Server.Api;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Backfill.Server.Jobs;

/// <summary>
/// A job's slices, and the operator's commands on a job: <c>pause</c>, <c>resume</c>, <c>cancel</c>, <c>retry</c> and
/// <c>settings</c> (a new cadence). 404 for an unknown job, 409 when its state does not allow the command, 400 for a bad
/// body, 503 when the fleet could not be told (then nothing changed). Mutations pass the API token gate first.
/// </summary>
internal static class JobControlApi
{
    /// <summary>Who made a change through the API, as the audit trail records it.</summary>
    private const string By = "api";

    public static IEndpointRouteBuilder MapJobControlApi(this IEndpointRouteBuilder app)
    {
        var job = app.MapGroup("/api/jobs/{id}");
        job.MapGet("/slices", Slices);
        job.MapGet("/timeline", JobTimelineApi.Timeline);
        job.MapGet("/history", JobTimelineApi.History);
        job.MapPost("/pause", (string id, JobControl control, JobStore store, PlatformBoard board, ShopRegistry shops, CancellationToken ct) =>
            RunAsync(async () => Status(await control.PauseAsync(id, By, ct), store, board, shops)));
        job.MapPost("/resume", (string id, JobControl control, JobStore store, PlatformBoard board, ShopRegistry shops, CancellationToken ct) =>
            RunAsync(async () => Status(await control.ResumeAsync(id, By, ct), store, board, shops)));
        job.MapPost("/cancel", (string id, JobControl control, JobStore store, PlatformBoard board, ShopRegistry shops, CancellationToken ct) =>
            RunAsync(async () => Status((await control.CancelAsync(id, By, ct)).Job, store, board, shops)));
        job.MapPost("/retry", RetryAsync).Accepts<RetryRequest>(isOptional: true, "application/json");
        job.MapPost("/settings", SettingsAsync).Accepts<JobSettingsRequest>("application/json");
        return app;
    }

    /// <summary>
    /// A page of the job's slices: <c>limit</c> of them (default <see cref="SliceList.DefaultLimit"/>), from after the slice
    /// <c>after</c> names (the previous page's <c>next</c>); of one <c>state</c>, and with <c>stuck=true</c> only those that
    /// were ever stuck (released again because nothing was heard of an attempt).
    /// </summary>
    internal static Results<Ok<SliceList>, ProblemHttpResult, ValidationProblem> Slices(string id, string? state, string? stuck, string? limit, string? after, JobStore store)
    {
        SliceState? filter = null;
        if (!string.IsNullOrEmpty(state))
        {
            if (!Enum.TryParse<SliceState>(state, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(state, out _))
            {
                return Invalid("state", $"unknown state '{state}'; one of {string.Join(", ", Enum.GetNames<SliceState>().Select(n => n.ToLowerInvariant()))}", "The slice filter is invalid.");
            }

            filter = parsed;
        }

        var stuckOnly = false;
        if (!string.IsNullOrEmpty(stuck) && !bool.TryParse(stuck, out stuckOnly))
        {
            return Invalid("stuck", $"stuck is true or false (got '{Paging.Shown(stuck)}')", "The slice filter is invalid.");
        }

        if (!Paging.TryLimit(limit, SliceList.DefaultLimit, SliceList.MaxLimit, out var size, out var badLimit))
        {
            return Invalid("limit", badLimit, "The slice page is invalid.");
        }

        if (store.Job(id) is null)
        {
            return JobsApi.NoSuchJob(id);
        }

        var from = string.IsNullOrEmpty(after) ? null : store.Slice(after);
        if (!string.IsNullOrEmpty(after) && from?.JobId != id)
        {
            return Invalid("after", $"after must be a slice of job '{id}', as the previous page's 'next' gives it (got '{Paging.Shown(after)}').", "The slice page is invalid.");
        }

        var (page, more) = store.SlicePage(id, filter, from, size, stuckOnly);
        return TypedResults.Ok(new SliceList(id, [.. page.Select(SliceView.Of)], more ? page[^1].Id : null, store.Totals(id).PrunedAt));
    }

    internal static async Task<Results<Ok<RetryResult>, ProblemHttpResult, ValidationProblem>> RetryAsync(string id, HttpRequest request, JobControl control, CancellationToken cancellationToken)
    {
        const string Title = "The retry request is invalid.";
        var reading = ControlBodyReader.ReadRetry(await StrictBody.BufferAsync(request, cancellationToken));
        if (reading.Unreadable is { } unreadable)
        {
            return BadBody(unreadable, Title);
        }

        if (reading.Value is not { } ask)
        {
            return Invalid(reading.Errors, Title);
        }

        return await RunAsync(async () =>
        {
            var outcome = await control.RetryAsync(id, ask.Slice, ask.Force, By, cancellationToken);
            return TypedResults.Ok(new RetryResult(outcome.Job.Id, outcome.Job.State.ToString().ToLowerInvariant(), outcome.Retried));
        });
    }

    internal static async Task<Results<Ok<JobStatus>, ProblemHttpResult, ValidationProblem>> SettingsAsync(
        string id, HttpRequest request, JobControl control, JobStore store, PlatformBoard board, ShopRegistry shops, CancellationToken cancellationToken)
    {
        const string Title = "The settings are invalid.";
        var reading = ControlBodyReader.ReadSettings(await StrictBody.BufferAsync(request, cancellationToken));
        if (reading.Unreadable is { } unreadable)
        {
            return BadBody(unreadable, Title);
        }

        if (reading.Value is not { } ask)
        {
            return Invalid(reading.Errors, Title);
        }

        TimeSpan? every = ask.ReleaseEvery is { } text ? ReleaseCadence.Parse(text) : null;
        JobPriority? priority = JobPriorityNames.TryParse(ask.Priority, out var p) ? p : null;
        return await RunAsync(async () => Status(await control.ChangeCadenceAsync(id, every, ask.SlicesPerRelease, By, cancellationToken, priority), store, board, shops));
    }

    /// <summary>The answer of a command: the job's status, whose orders are never all saved while it is unfinished.</summary>
    private static Ok<JobStatus> Status(JobRecord job, JobStore store, PlatformBoard board, ShopRegistry shops) =>
        TypedResults.Ok(JobStatus.Of(job, store.Totals(job.Id)) with { Platforms = [board.Status(job.Platform)], ShopWarnings = shops.JobWarnings()(job) });

    /// <summary>The command's answer, or the problem its exception stands for.</summary>
    private static async Task<Results<Ok<T>, ProblemHttpResult, ValidationProblem>> RunAsync<T>(Func<Task<Ok<T>>> command)
    {
        try
        {
            return await command();
        }
        catch (JobNotFoundException e)
        {
            return NotFound(e.Message);
        }
        catch (JobCommandRefusedException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Not allowed in the job's state.");
        }
        catch (JobOverlapException e)
        {
            return Overlapping(e);
        }
        catch (KafkaException e)
        {
            return TypedResults.Problem(
                $"The workers could not be told through Kafka ({e.Error.Reason}); nothing changed. Try again.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Kafka is unavailable.");
        }
    }

    /// <summary>409 naming the job overlapped, also as the <c>overlaps</c> member for scripts.</summary>
    internal static ProblemHttpResult Overlapping(JobOverlapException e) =>
        TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "The job overlaps an active job.", extensions: new Dictionary<string, object?> { ["overlaps"] = e.Overlap.Job.Id });

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "No such job.");

    private static ProblemHttpResult BadBody(string detail, string title) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: title);

    private static ValidationProblem Invalid(IReadOnlyDictionary<string, string[]> errors, string title) =>
        TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(m => m)), title: title);

    private static ValidationProblem Invalid(string member, string message, string title) =>
        Invalid(new Dictionary<string, string[]> { [member] = [message] }, title);
}
