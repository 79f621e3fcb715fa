using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Server.Jobs;

namespace Backfill.Cli.Remote;

/// <summary>The job list and the commands on a job. A 401, 403 or 409 is the operation failing (exit 1) with the scheduler's own words.</summary>
internal sealed partial class SchedulerClient
{
    /// <summary>The API token, sent as <c>Authorization: Bearer</c> with every change and never with a read.</summary>
    public string? Token { get; init; }

    /// <summary>
    /// Every job, or those in <paramref name="state"/>, newest first: the scheduler's pages followed to the end. The body
    /// is <c>{"jobs": [...]}</c> with every page's statuses as the scheduler wrote them.
    /// </summary>
    public async Task<(JobList Jobs, string Body)> ListJobsAsync(string? state, CancellationToken cancellationToken)
    {
        var jobs = new List<JobStatus>();
        var raw = new List<string>();
        string? after = null;
        do
        {
            var query = $"limit={JobList.MaxLimit}{(state is null ? "" : $"&state={Uri.EscapeDataString(state)}")}{(after is null ? "" : $"&after={Uri.EscapeDataString(after)}")}";
            var (status, body) = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/jobs?{query}"), cancellationToken);
            var page = status switch
            {
                HttpStatusCode.OK when Read<JobList>(body) is { } list => list,
                HttpStatusCode.BadRequest => throw new UsageException(Problem(body) ?? "the scheduler refused the request (400)."),
                _ => throw Unexpected(status, body),
            };
            jobs.AddRange(page.Jobs);
            using (var document = JsonDocument.Parse(body))
            {
                raw.AddRange(document.RootElement.GetProperty("jobs").EnumerateArray().Select(j => j.GetRawText()));
            }

            // A next that does not move on would page for ever.
            after = page.Next is { } next && next != after ? next : null;
        }
        while (after is not null);

        return (new JobList(jobs), $"{{\"jobs\":[{string.Join(",", raw)}]}}");
    }

    /// <summary><c>pause</c>, <c>resume</c> or <c>cancel</c>; the job's status afterwards.</summary>
    public Task<(JobStatus Status, string Body)> CommandAsync(string id, string command, CancellationToken cancellationToken) =>
        PostAsync<JobStatus>(id, command, null, cancellationToken);

    /// <param name="slice">One failed slice, or null for all of them.</param>
    public Task<(RetryResult Result, string Body)> RetryAsync(string id, string? slice, CancellationToken cancellationToken) =>
        RetryAsync(id, slice, force: false, cancellationToken);

    public Task<(RetryResult Result, string Body)> RetryAsync(string id, string? slice, bool force, CancellationToken cancellationToken) =>
        PostAsync<RetryResult>(id, "retry", slice is null && !force ? null : JsonContent.Create(new RetryRequest { Slice = slice, Force = force }, options: Json), cancellationToken);

    public Task<(JobStatus Status, string Body)> SettingsAsync(string id, JobSettingsRequest settings, CancellationToken cancellationToken) =>
        PostAsync<JobStatus>(id, "settings", JsonContent.Create(settings, options: Json), cancellationToken);

    private async Task<(T Result, string Body)> PostAsync<T>(string id, string command, HttpContent? content, CancellationToken cancellationToken)
        where T : class
    {
        var (status, body) = await SendAsync(() => Authorized(new HttpRequestMessage(HttpMethod.Post, $"api/jobs/{Uri.EscapeDataString(id)}/{command}") { Content = content }), cancellationToken);
        return status switch
        {
            HttpStatusCode.OK when Read<T>(body) is { } result => (result, body),
            HttpStatusCode.NotFound => throw new OperationFailedException(Problem(body) ?? $"no job '{id}'"),
            HttpStatusCode.BadRequest => throw new UsageException(Problem(body) ?? "the scheduler refused the request (400)."),
            _ => throw Refused(status, body),
        };
    }

    private HttpRequestMessage Authorized(HttpRequestMessage request)
    {
        if (!string.IsNullOrEmpty(Token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        return request;
    }

    /// <summary>Not allowed (no or another token, or not in the job's state): the scheduler's detail is the message.</summary>
    private OperationFailedException Refused(HttpStatusCode status, string body) =>
        status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.Conflict
            ? new OperationFailedException(Problem(body) ?? $"the scheduler at {_display} refused: {(int)status} {status}")
            : Unexpected(status, body);
}
