using Backfill.Core.Hashing;
using System.Globalization;
using Backfill.Platforms.Shopee;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Backfill.Simulators;

/// <summary>
/// The routes and the order every call goes through: arrival count, forced throttle, call limit (a refused call is not counted
/// against the window), latency, authentication, injected failure (shop-level calls), then the endpoint itself. A token refresh
/// counts against the call limit like any call.
/// </summary>
internal sealed class SimulatorApi(
    CallAdmission admission,
    SimulatorAuth auth,
    OrderEndpoints orders,
    SimulatorTokens tokens,
    SimulatorAnswers answers,
    SimulatorStats stats,
    SimulatorSwitches switches,
    long partnerId,
    int seed,
    TimeProvider time)
{
    private const string RefreshRequest = "refresh";

    // Counts every call that reaches a shop-level endpoint, refused or not: the load the fleet put on the platform.
    private readonly SlidingWindowCounter _arrivals = new(int.MaxValue, time);
    private long _failureDraws;
    private long _stormDraws;

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(ShopeePaths.OrderList, http => RespondAsync(http, ShopCall(orders.List)));
        routes.MapGet(ShopeePaths.OrderDetail, http => RespondAsync(http, ShopCall(orders.Detail)));
        routes.MapGet(ShopeePaths.EscrowDetail, http => RespondAsync(http, ShopCall(orders.Escrow)));
        routes.MapGet(ShopeePaths.ReturnList, http => RespondAsync(http, ShopCall(orders.Returns)));
        routes.MapPost(ShopeePaths.AccessToken, http => RespondAsync(http, RefreshAsync));
        routes.MapGet("/sim/stats", http => TypedResults.Json(stats.Snapshot(), SimulatorJsonContext.Default.SimulatorStatsSnapshot).ExecuteAsync(http));
        routes.MapGet("/sim/stats/shops", http => TypedResults.Json(new SimulatorShopsSnapshot(stats.Shops()), SimulatorJsonContext.Default.SimulatorShopsSnapshot).ExecuteAsync(http));
        routes.MapGet("/sim/calls", http => TypedResults.Json(Calls.Snapshot(), SimulatorJsonContext.Default.IReadOnlyListSimulatorCall).ExecuteAsync(http));
        routes.MapGet("/sim/stats/seconds", http => TypedResults.Json(SimulatorSeconds.Of(Calls.Snapshot()), SimulatorJsonContext.Default.SimulatorSeconds).ExecuteAsync(http));
    }

    /// <summary>Every call, for tests that check what the platform saw call by call.</summary>
    public SimulatorCallLog Calls { get; } = new();

    private async Task RespondAsync(HttpContext http, Func<HttpContext, Task<Answer>> handle)
    {
        var arrived = time.GetUtcNow();
        var answer = await handle(http);
        var answered = time.GetUtcNow();
        await answer.Result.ExecuteAsync(http);
        Calls.Add(new SimulatorCall(arrived, answered, http.Request.Path, answer.Shop, answer.Request, http.Response.StatusCode, answer.Outcome, answer.RetryAfter, answer.Generation));
    }

    private Func<HttpContext, Task<Answer>> ShopCall(Func<IQueryCollection, string, IResult> endpoint) => http => ShopCallAsync(http, endpoint);

    private async Task<Answer> ShopCallAsync(HttpContext http, Func<IQueryCollection, string, IResult> endpoint)
    {
        var query = http.Request.Query;
        var shop = query["shop_id"].ToString();
        var request = http.Request.Path.Value switch
        {
            ShopeePaths.OrderDetail => query["order_sn_list"].ToString(),
            ShopeePaths.EscrowDetail => query["order_sn"].ToString(),
            ShopeePaths.ReturnList => $"{query["create_time_from"]}-{query["create_time_to"]}/{query["page_no"]}",
            _ => $"{query["time_from"]}-{query["time_to"]}/{query["cursor"]}",
        };
        int? generation = null;
        Answer Say(IResult result, string outcome, TimeSpan? retryAfter = null) => new(result, outcome, retryAfter, shop, request, generation);

        if (await AdmitAsync(http, shop) is { } refusal)
        {
            return Say(refusal.Result, refusal.Outcome, refusal.RetryAfter);
        }

        var checkedAuth = auth.Check(query, http.Request.Path, out var shopId);
        generation = checkedAuth.Generation;
        if (checkedAuth.Refusal is { } refused)
        {
            return Say(refused, checkedAuth.Expired ? "expired" : "error");
        }

        if (InjectedFailure() is { } failure)
        {
            return Say(failure, "error");
        }

        if (!switches.TryTakeFault(out var fault))
        {
            return Say(endpoint(query, shopId), "ok");
        }

        var name = fault.ToString();
        switch (fault)
        {
            case SimulatorFault.ServerError:
                return Say(answers.Unavailable(), name);
            case SimulatorFault.InvalidJson:
                return Say(answers.HtmlPage(), name);
            case SimulatorFault.TruncatedBody:
                stats.Error();
                return Say(new Truncated(endpoint(query, shopId)), name);
            default:
                try
                {
                    await Task.Delay(switches.StallFor, time, http.RequestAborted);
                }
                catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
                {
                    // The client gave up, as a client with a shorter timeout should: nobody reads the answer.
                    return Say(TypedResults.Empty, name);
                }

                return Say(endpoint(query, shopId), name);
        }
    }

    /// <summary>
    /// <c>POST /api/v2/auth/access_token/get</c>: a public call; the refresh token in the body buys a new access token and
    /// a new refresh token, and stops working itself.
    /// </summary>
    private async Task<Answer> RefreshAsync(HttpContext http)
    {
        if (await AdmitAsync(http, shopId: null) is { } refusal)
        {
            return new Answer(refusal.Result, refusal.Outcome, refusal.RetryAfter, "", RefreshRequest);
        }

        if (auth.CheckPublic(http.Request.Query, http.Request.Path) is { } refused)
        {
            return new Answer(refused, "error", null, "", RefreshRequest);
        }

        AccessTokenRequest? body;
        try
        {
            body = await http.Request.ReadFromJsonAsync(ShopeeJsonContext.Default.AccessTokenRequest, http.RequestAborted);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            body = null;
        }

        if (body is null || string.IsNullOrEmpty(body.RefreshToken) || body.PartnerId != partnerId)
        {
            return new Answer(answers.Param("The body must be {\"refresh_token\", \"partner_id\", \"shop_id\"} with this partner's id."), "error", null, "", RefreshRequest);
        }

        var shop = body.ShopId.ToString(CultureInfo.InvariantCulture);
        if (tokens.Refresh(shop, body.RefreshToken) is not { } issued)
        {
            stats.RefreshRefused();
            return new Answer(answers.Auth("Invalid refresh_token."), "error", null, shop, RefreshRequest);
        }

        stats.Refreshed();
        var life = (long)Math.Max(1, Math.Floor(tokens.Life.TotalSeconds));
        return new Answer(answers.Ok(new AccessTokenResponse(issued.AccessToken, issued.RefreshToken, life, partnerId, body.ShopId)), "ok", null, shop, RefreshRequest, issued.Generation);
    }

    /// <summary>Arrival count, forced throttle, storm, call limit, latency: null once the call may be answered.</summary>
    private async Task<(IResult Result, string Outcome, TimeSpan? RetryAfter)?> AdmitAsync(HttpContext http, string? shopId)
    {
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

        if (!admission.TryAdmit(shopId, out var inWindow))
        {
            stats.Refuse();
            return (answers.Throttled(http), "refused", TimeSpan.FromSeconds(1));
        }

        stats.Accept(inWindow, time.GetUtcNow(), shopId ?? "");
        // Drawn after admission: the simulator counts a call when it arrives, as most platforms do.
        var latency = switches.NextLatency();
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, time, http.RequestAborted);
        }

        return null;
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

/// <summary>What the simulator answered one call, and what its log says of it.</summary>
internal sealed record Answer(IResult Result, string Outcome, TimeSpan? RetryAfter, string Shop, string Request, int? Generation = null);

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
