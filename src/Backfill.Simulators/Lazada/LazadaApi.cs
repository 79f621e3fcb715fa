using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Backfill.Simulators.Lazada;

/// <summary>
/// The routes and the order every call goes through: arrival count, the app's quotas and call limit (a refused call is
/// charged to neither), latency, signature, timestamp and token, then the endpoint. A token refresh counts against the
/// limits like any call.
/// </summary>
internal sealed class LazadaApi(
    LazadaAdmission admission,
    LazadaAuth auth,
    LazadaOrderEndpoints orders,
    SimulatorTokens tokens,
    LazadaAnswers answers,
    SimulatorStats stats,
    SimulatorSwitches switches,
    TimeProvider time)
{
    /// <summary>The path every API name follows: <c>/rest/orders/get</c> is the API <c>/orders/get</c>.</summary>
    public const string Root = "/rest";

    public const string OrderList = "/orders/get";
    public const string OrderItems = "/orders/items/get";
    public const string TokenRefresh = "/auth/token/refresh";

    /// <summary>What the simulator says the life of a refresh token is; refresh tokens do not expire in the simulator.</summary>
    private static readonly TimeSpan RefreshLife = TimeSpan.FromDays(30);

    private readonly SlidingWindowCounter _arrivals = new(int.MaxValue, time);

    public SimulatorCallLog Calls { get; } = new();

    public void Map(IEndpointRouteBuilder routes)
    {
        routes.MapGet(Root + OrderList, http => RespondAsync(http, SellerCall(orders.List, q => $"{q["created_after"]}-{q["created_before"]}/{q["offset"]}")));
        routes.MapGet(Root + OrderItems, http => RespondAsync(http, SellerCall(orders.Items, q => q["order_ids"].ToString())));
        routes.MapGet(Root + TokenRefresh, http => RespondAsync(http, RefreshAsync));
        routes.MapGet("/sim/stats", http => TypedResults.Json(stats.Snapshot(), SimulatorJsonContext.Default.SimulatorStatsSnapshot).ExecuteAsync(http));
        routes.MapGet("/sim/stats/shops", http => TypedResults.Json(new SimulatorShopsSnapshot(stats.Shops()), SimulatorJsonContext.Default.SimulatorShopsSnapshot).ExecuteAsync(http));
    }

    private async Task RespondAsync(HttpContext http, Func<HttpContext, Task<Answer>> handle)
    {
        var arrived = time.GetUtcNow();
        var answer = await handle(http);
        var answered = time.GetUtcNow();
        await answer.Result.ExecuteAsync(http);
        Calls.Add(new SimulatorCall(arrived, answered, http.Request.Path, answer.Shop, answer.Request, http.Response.StatusCode, answer.Outcome, answer.RetryAfter, answer.Generation));
    }

    private Func<HttpContext, Task<Answer>> SellerCall(Func<IQueryCollection, string, IResult> endpoint, Func<IQueryCollection, string> request) =>
        async http =>
        {
            var query = http.Request.Query;
            // The seller is named for the log only, before the token is checked: a refused call is still the seller's.
            var named = tokens.ShopOfAccessToken(query["access_token"].ToString()) ?? "";
            if (await AdmitAsync(http) is { } refusal)
            {
                return new Answer(refusal.Result, refusal.Outcome, refusal.RetryAfter, named, request(query));
            }

            var check = auth.CheckSeller(query, ApiName(http));
            if (check.Refusal is { } refused)
            {
                if (check.Expired)
                {
                    stats.Expired();
                }

                return new Answer(refused, check.Expired ? "expired" : "error", null, check.Seller.Length > 0 ? check.Seller : named, request(query), check.Generation);
            }

            return new Answer(endpoint(query, check.Seller), "ok", null, check.Seller, request(query), check.Generation);
        };

    /// <summary><c>/auth/token/refresh</c>: the seller's refresh token buys a new access token and stays valid itself.</summary>
    private async Task<Answer> RefreshAsync(HttpContext http)
    {
        const string Request = "refresh";
        var query = http.Request.Query;
        var refreshToken = query["refresh_token"].ToString();
        var named = tokens.ShopOfRefreshToken(refreshToken) ?? "";
        if (await AdmitAsync(http) is { } refusal)
        {
            return new Answer(refusal.Result, refusal.Outcome, refusal.RetryAfter, named, Request);
        }

        if (auth.CheckApp(query, ApiName(http)) is { } refused)
        {
            return new Answer(refused, "error", null, named, Request);
        }

        if (named.Length == 0 || tokens.Refresh(named, refreshToken) is not { } issued)
        {
            stats.RefreshRefused();
            return new Answer(answers.Error(LazadaAnswers.IllegalRefreshToken, "Invalid refresh token."), "error", null, named, Request);
        }

        stats.Refreshed();
        var answer = answers.Ok(writer =>
        {
            writer.WriteString("access_token", issued.AccessToken);
            writer.WriteString("refresh_token", issued.RefreshToken);
            writer.WriteNumber("expires_in", (long)Math.Max(1, Math.Floor(tokens.Life.TotalSeconds)));
            writer.WriteNumber("refresh_expires_in", (long)RefreshLife.TotalSeconds);
            writer.WriteString("account", named + "@sellers.lazada.sim");
            writer.WriteString("country", "sg");
        });
        return new Answer(answer, "ok", null, named, Request, issued.Generation);
    }

    /// <summary>Arrival count, quotas, call limit, latency: null once the call may be answered.</summary>
    private async Task<(IResult Result, string Outcome, TimeSpan? RetryAfter)?> AdmitAsync(HttpContext http)
    {
        _arrivals.TryAcquire(out var arrivals);
        stats.Arrive(arrivals);
        var now = time.GetUtcNow();
        var decision = admission.TryAdmit();
        switch (decision.Outcome)
        {
            case AdmissionOutcome.QuotaSpent:
                stats.RefuseQuota();
                var reset = decision.ResetAt!.Value;
                var wait = BanSeconds(reset - now);
                return (answers.Refusal(
                    LazadaAnswers.AppCallLimit,
                    string.Create(CultureInfo.InvariantCulture, $"The app's calls for this period are spent ({decision.Quota}); the ban will last {wait} seconds, until {reset:yyyy-MM-dd'T'HH:mm:sszzz}.")),
                    "quota",
                    TimeSpan.FromSeconds(wait));
            case AdmissionOutcome.RateLimited:
                stats.Refuse();
                return (answers.Refusal(LazadaAnswers.ApiCallLimit, "The request has exceeded the call limit of this app. The ban will last 1 seconds."), "refused", TimeSpan.FromSeconds(1));
        }

        stats.Accept(decision.InWindow, now);
        // Drawn after admission: the simulator counts a call when it arrives, as most platforms do.
        var latency = switches.NextLatency();
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, time, http.RequestAborted);
        }

        return null;
    }

    private static long BanSeconds(TimeSpan untilReset) => Math.Max(1, (long)Math.Ceiling(untilReset.TotalSeconds));

    private static string ApiName(HttpContext http) => http.Request.Path.Value![Root.Length..];
}
