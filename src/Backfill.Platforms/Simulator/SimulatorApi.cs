using Backfill.Platforms.Shopee;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Backfill.Platforms.Simulator;

/// <summary>
/// The routes and the order every call goes through: arrival count, forced throttle, call limit (a refused call is not counted
/// against the window), latency, authentication, injected failure, then the endpoint itself.
/// </summary>
internal sealed class SimulatorApi(
    CallAdmission admission, SimulatorAuth auth, OrderEndpoints orders, SimulatorAnswers answers, SimulatorStats stats, SimulatorSwitches switches, int seed, TimeProvider time)
{
    // Counts every call that reaches an order endpoint, refused or not: the load the fleet put on the platform.
    private readonly SlidingWindowCounter _arrivals = new(int.MaxValue, time);
    private long _failureDraws;
    private long _stormDraws;

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(ShopeePaths.OrderList, http => RespondAsync(http, orders.List));
        routes.MapGet(ShopeePaths.OrderDetail, http => RespondAsync(http, orders.Detail));
        routes.MapGet("/sim/stats", http => TypedResults.Json(stats.Snapshot(), SimulatorJsonContext.Default.SimulatorStatsSnapshot).ExecuteAsync(http));
    }

    private async Task RespondAsync(HttpContext http, Func<IQueryCollection, string, IResult> endpoint)
    {
        var arrived = time.GetUtcNow();
        var (result, outcome, retryAfter) = await HandleAsync(http, endpoint);
        var answered = time.GetUtcNow();
        await result.ExecuteAsync(http);
        var query = http.Request.Query;
        var request = http.Request.Path == ShopeePaths.OrderDetail
            ? query["order_sn_list"].ToString()
            : $"{query["time_from"]}-{query["time_to"]}/{query["cursor"]}";
        Calls.Add(new SimulatorCall(arrived, answered, http.Request.Path, query["shop_id"].ToString(), request, http.Response.StatusCode, outcome, retryAfter));
    }

    /// <summary>Every order call, for tests that check what the platform saw call by call.</summary>
    public SimulatorCallLog Calls { get; } = new();

    private async Task<(IResult Result, string Outcome, TimeSpan? RetryAfter)> HandleAsync(HttpContext http, Func<IQueryCollection, string, IResult> endpoint)
    {
        var query = http.Request.Query;
        _arrivals.TryAcquire(out var arrivals);
        stats.Arrive(arrivals);
        if (switches.ThrottleEverything)
        {
            stats.ForceThrottle();
            return (answers.Throttled(http), "throttled", TimeSpan.FromSeconds(1));
        }

        if (Storm() is { } stormRetryAfter)
        {
            stats.ForceThrottle();
            return (answers.Throttled(http, (int)stormRetryAfter.TotalSeconds), "throttled", stormRetryAfter);
        }

        if (!admission.TryAdmit(query["shop_id"].ToString(), out var inWindow))
        {
            stats.Refuse();
            return (answers.Throttled(http), "refused", TimeSpan.FromSeconds(1));
        }

        stats.Accept(inWindow, time.GetUtcNow(), query["shop_id"].ToString());
        var latency = switches.Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, time, http.RequestAborted);
        }

        if (auth.Check(query, http.Request.Path, out var shopId) is { } refused)
        {
            return (refused, "error", null);
        }

        if (InjectedFailure() is { } failure)
        {
            return (failure, "error", null);
        }

        if (!switches.TryTakeFault(out var fault))
        {
            return (endpoint(query, shopId), "ok", null);
        }

        var name = fault.ToString();
        switch (fault)
        {
            case SimulatorFault.ServerError:
                return (answers.Unavailable(), name, null);
            case SimulatorFault.InvalidJson:
                return (answers.HtmlPage(), name, null);
            case SimulatorFault.TruncatedBody:
                stats.Error();
                return (new Truncated(endpoint(query, shopId)), name, null);
            default:
                try
                {
                    await Task.Delay(switches.StallFor, time, http.RequestAborted);
                }
                catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
                {
                    // The client gave up, as a client with a shorter timeout should: nobody reads the answer.
                    return (TypedResults.Empty, name, null);
                }

                return (endpoint(query, shopId), name, null);
        }
    }

    /// <summary>The Retry-After of a call the throttle storm refuses, or null when it lets the call through.</summary>
    private TimeSpan? Storm()
    {
        var share = switches.RefuseShare;
        if (share <= 0)
        {
            return null;
        }

        // A stable hash of an arrival counter, not Random: the same sequence of arrivals is refused the same way.
        var draw = Interlocked.Increment(ref _stormDraws);
        return StableHash.Fraction(StableHash.Of(seed, "storm", draw)) < share ? switches.RefuseRetryAfter : null;
    }

    private IResult? InjectedFailure()
    {
        var rate = switches.TransientFailureRate;
        if (rate <= 0)
        {
            return null;
        }

        // Drawn from a stable hash of a call counter, not Random: the same run fails the same calls.
        var draw = Interlocked.Increment(ref _failureDraws);
        var hash = StableHash.Of(seed, "transient-failure", draw);
        if (StableHash.Fraction(hash) >= rate)
        {
            return null;
        }

        return (hash & 1) == 0
            ? answers.Unavailable()
            : answers.Error(StatusCodes.Status200OK, "error_server", "Something went wrong, please try again later.");
    }
}

/// <summary>The real answer cut off half way through its body: JSON that does not parse.</summary>
internal sealed class Truncated(IResult inner) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var body = httpContext.Response.Body;
        using var buffer = new MemoryStream();
        httpContext.Response.Body = buffer;
        try
        {
            await inner.ExecuteAsync(httpContext);
        }
        finally
        {
            httpContext.Response.Body = body;
        }

        var half = (int)buffer.Length / 2;
        httpContext.Response.ContentLength = half;
        await body.WriteAsync(buffer.GetBuffer().AsMemory(0, half), httpContext.RequestAborted);
    }
}
