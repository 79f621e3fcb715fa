using Backfill.Core.Data;
using Backfill.Storage;
using Backfill.Storage.Records;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Backfill.Server.Jobs;

/// <summary>
/// <c>GET /api/jobs/{id}/export?data=orders|finance|returns</c>: the job's records of one dataset as JSON Lines
/// (<see cref="RecordExport"/>), streamed from the sink as they are read. Shop data: the token gate asks for the API
/// token even though it is a GET (<see cref="Auth.ApiTokenGate"/>).
/// </summary>
internal static class ExportApi
{
    /// <summary>The path of a job's export, as the token gate recognises it: <c>/api/jobs/{id}/export</c>.</summary>
    public static bool IsExport(PathString path)
    {
        var segments = (path.Value ?? "").Trim('/').Split('/');
        return segments is ["api", "jobs", { Length: > 0 }, "export"];
    }

    internal static async Task<Results<EmptyHttpResult, ProblemHttpResult>> ExportAsync(
        string id,
        string? data,
        HttpContext context,
        JobStore store,
        RecordStore records,
        CancellationToken cancellationToken)
    {
        if (store.Job(id) is not { } job)
        {
            return JobsApi.NoSuchJob(id);
        }

        var pulled = DatasetNames.Format(job.Data);
        if (DatasetNames.TryParseOne(data) is not { } dataset)
        {
            return TypedResults.Problem(
                $"data must name one dataset the job pulled: ?data={string.Join(" or ?data=", DatasetNames.Names(job.Data))} (got '{data}').",
                statusCode: StatusCodes.Status400BadRequest,
                title: "Which dataset to export?");
        }

        if (!job.Data.HasFlag(dataset))
        {
            return TypedResults.Problem(
                $"Job {job.Id} did not pull {DatasetNames.Name(dataset)}; it pulled {pulled}.",
                statusCode: StatusCodes.Status400BadRequest,
                title: "The job has no such data.");
        }

        context.Response.ContentType = RecordExport.ContentType;
        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{job.Id}-{DatasetNames.Name(dataset)}.ndjson\"";
        context.Response.Headers.CacheControl = "no-store";
        await RecordExport.WriteAsync(records.OfJob(dataset, job.Id), dataset, context.Response.Body, cancellationToken);
        return TypedResults.Empty;
    }
}
