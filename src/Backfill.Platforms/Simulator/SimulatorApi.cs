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

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(ShopeePaths.OrderList, http => RespondAsync(http, orders.List));
        routes.MapGet(ShopeePaths.OrderDetail, http => RespondAsync(http, orders.Detail));
        routes.MapGet("/sim/stats", http => TypedResults.Json(stats.Snapshot(), SimulatorJsonContext.Default.SimulatorStatsSnapshot).ExecuteAsync(http));
    }

    private async Task RespondAsync(HttpContext http, Func<IQueryCollection, string, IResult> endpoint)
    {
        var result = await HandleAsync(http, endpoint);
        await result.ExecuteAsync(http);
    }

    private async Task<IResult> HandleAsync(HttpContext http, Func<IQueryCollection, string, IResult> endpoint)
    {
        var query = http.Request.Query;
        _arrivals.TryAcquire(out var arrivals);
        stats.Arrive(arrivals);
        if (switches.ThrottleEverything)
        {
            stats.ForceThrottle();
            return answers.Throttled(http);
        }

        if (!admission.TryAdmit(query["shop_id"].ToString(), out var inWindow))
        {
            stats.Refuse();
            return answers.Throttled(http);
        }

        stats.Accept(inWindow, time.GetUtcNow(), query["shop_id"].ToString());
        var latency = switches.Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, time, http.RequestAborted);
        }

        return auth.Check(query, http.Request.Path, out var shopId) ?? InjectedFailure() ?? endpoint(query, shopId);
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
