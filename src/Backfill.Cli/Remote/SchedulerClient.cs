using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Scheduling;
using Backfill.Server.Jobs;
using Backfill.Server.Platforms;

namespace Backfill.Cli.Remote;

/// <summary>
/// The scheduler's HTTP API as the CLI uses it. Answers become results or the CLI's exceptions: a 400 is the
/// operator's mistake (<see cref="UsageException"/>, exit 2); an unreachable or failing scheduler is
/// <see cref="OperationFailedException"/> (exit 1).
/// </summary>
internal sealed partial class SchedulerClient : IDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;
    private readonly string _display;

    public SchedulerClient(Uri server, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        _display = server.ToString().TrimEnd('/');
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) };
        _http = new HttpClient(handler) { BaseAddress = new Uri(_display + "/"), Timeout = timeout ?? DefaultTimeout };
    }

    /// <summary>Creates a job; returns the answer's body, <c>{"job": "…"}</c>, and the id in it.</summary>
    public async Task<(string Id, string Body)> CreateJobAsync(CreateJobRequest request, CancellationToken cancellationToken)
    {
        var (status, body) = await SendAsync(() => Authorized(new HttpRequestMessage(HttpMethod.Post, "api/jobs") { Content = JsonContent.Create(request, options: Json) }), cancellationToken);
        return status switch
        {
            HttpStatusCode.Created when Read<JobCreated>(body) is { Job: { Length: > 0 } id } => (id, body),
            HttpStatusCode.BadRequest => throw new UsageException(Problem(body) ?? "the scheduler refused the request (400)."),
            _ => throw Refused(status, body),
        };
    }

    /// <summary>What the job would be and cost, created nowhere: the estimate as parsed and as the scheduler wrote it.</summary>
    public async Task<(JobEstimate Estimate, string Body)> EstimateAsync(CreateJobRequest request, CancellationToken cancellationToken)
    {
        var dryRun = request with { DryRun = true };
        var (status, body) = await SendAsync(() => Authorized(new HttpRequestMessage(HttpMethod.Post, "api/jobs") { Content = JsonContent.Create(dryRun, options: Json) }), cancellationToken);
        return status switch
        {
            HttpStatusCode.OK when Read<JobEstimate>(body) is { DryRun: true } estimate => (estimate, body),
            HttpStatusCode.BadRequest => throw new UsageException(Problem(body) ?? "the scheduler refused the request (400)."),
            _ => throw Refused(status, body),
        };
    }

    /// <summary>The job's status as parsed and as the scheduler wrote it.</summary>
    public async Task<(JobStatus Status, string Body)> JobStatusAsync(string id, CancellationToken cancellationToken)
    {
        var (status, body) = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/jobs/{Uri.EscapeDataString(id)}"), cancellationToken);
        return status switch
        {
            HttpStatusCode.OK when Read<JobStatus>(body) is { } job => (job, body),
            HttpStatusCode.NotFound => throw new OperationFailedException($"no job '{id}'"),
            _ => throw Unexpected(status, body),
        };
    }

    /// <summary>Every configured platform's limit (configured and live) and budget.</summary>
    public async Task<(PlatformList List, string Body)> PlatformsAsync(CancellationToken cancellationToken)
    {
        var (status, body) = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, "api/platforms"), cancellationToken);
        return status == HttpStatusCode.OK && Read<PlatformList>(body) is { } list ? (list, body) : throw Unexpected(status, body);
    }

    /// <summary>Changes the fleet's limit and/or safety margin of <paramref name="platform"/> while it runs; what the change leaves out stays as it is.</summary>
    public async Task<(PlatformView Platform, string Body)> SetLimitAsync(string platform, LimitChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var request = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (change.Limit is { } limit)
        {
            request["permitsPerSecond"] = limit.Value;
        }

        if (change.Margin is { } margin)
        {
            request["safetyMargin"] = margin.Value;
        }

        if (change.Force)
        {
            request["force"] = true;
        }

        var (status, body) = await SendAsync(
            () => Authorized(new HttpRequestMessage(HttpMethod.Post, $"api/platforms/{Uri.EscapeDataString(platform)}/limit") { Content = JsonContent.Create(request, options: Json) }),
            cancellationToken);
        return status switch
        {
            HttpStatusCode.OK when Read<PlatformView>(body) is { } view => (view, body),
            HttpStatusCode.BadRequest or HttpStatusCode.NotFound => throw new UsageException(Problem(body) ?? $"the scheduler refused the limit ({(int)status})."),
            _ => throw Refused(status, body),
        };
    }

    public void Dispose() => _http.Dispose();

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(Func<HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        try
        {
            using var message = request();
            using var response = await _http.SendAsync(message, cancellationToken);
            return (response.StatusCode, (await response.Content.ReadAsStringAsync(cancellationToken)).Trim());
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            throw new OperationFailedException($"cannot reach the scheduler at {_display} (is 'backfill serve' running?)");
        }
        catch (HttpRequestException e)
        {
            throw new OperationFailedException($"talking to the scheduler at {_display} failed: {e.Message}");
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new OperationFailedException($"the scheduler at {_display} did not answer within {_http.Timeout.TotalSeconds:0} s");
        }
    }

    private OperationFailedException Unexpected(HttpStatusCode status, string body) =>
        new($"the scheduler at {_display} answered {(int)status} {status}{(Problem(body) is { } detail ? $": {detail}" : "")}");

    private static T? Read<T>(string body)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The <c>detail</c> (else <c>title</c>) of an RFC 7807 answer.</summary>
    private static string? Problem(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            return root.ValueKind != JsonValueKind.Object ? null
                : root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String ? detail.GetString()
                : root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String ? title.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
