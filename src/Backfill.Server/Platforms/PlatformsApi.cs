using System.Globalization;
using Backfill.Platforms.Configuration;
using Backfill.Scheduling;
using Backfill.Server.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace Backfill.Server.Platforms;

/// <summary>
/// <c>GET /api/platforms</c>: each configured platform's limit (configured and live) and budget as the fleet reports it.
/// <c>POST /api/platforms/{name}/limit</c> with <c>{"permitsPerSecond": 10}</c> (or <c>null</c>: back to the configured
/// limit) changes the fleet's limit while it runs; above the configured limit only with <c>"force": true</c>; with
/// <c>{"safetyMargin": 0.2}</c> (or <c>null</c>) its safety margin, the share kept for the partner key's other clients.
/// What the body leaves out stays as it is.
/// </summary>
public static class PlatformsApi
{
    private const string Example = """{"permitsPerSecond": 10}""";
    private const string MarginExample = """{"safetyMargin": 0.2}""";

    internal static IEndpointRouteBuilder MapPlatformsApi(this IEndpointRouteBuilder app)
    {
        var platforms = app.MapGroup("/api/platforms");
        platforms.MapGet("/", List);
        platforms.MapGet("/{name}/calls", Calls);
        platforms.MapPost("/{name}/limit", SetLimitAsync).Accepts<SetLimitRequest>("application/json");
        return app;
    }

    internal static Ok<PlatformList> List(IConfiguration configuration, PlatformLimits limits, PlatformBoard board) =>
        TypedResults.Ok(new PlatformList([.. Names(configuration).Select(name => PlatformView.Of(limits.Get(name), board.Status(name)))]));

    internal static async Task<Results<Ok<PlatformView>, ProblemHttpResult, ValidationProblem>> SetLimitAsync(
        string name, HttpRequest request, IConfiguration configuration, PlatformLimits limits, PlatformBoard board, CancellationToken cancellationToken)
    {
        if (Configured(configuration, name) is not { } platform)
        {
            return NoSuchPlatform(configuration, name);
        }

        var reading = Read(await StrictBody.BufferAsync(request, cancellationToken));
        if (reading.Unreadable is { } unreadable)
        {
            return TypedResults.Problem(unreadable, statusCode: StatusCodes.Status400BadRequest, title: "The body is not a limit request.");
        }

        if (reading.Value is not { } change)
        {
            return TypedResults.ValidationProblem(reading.Errors, detail: string.Join(" ", reading.Errors.Values.SelectMany(m => m)), title: "The limit request is invalid.");
        }

        try
        {
            var limit = await limits.SetAsync(platform, change, "api", cancellationToken);
            return TypedResults.Ok(PlatformView.Of(limit, board.Status(platform)));
        }
        catch (ArgumentException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = [e.Message] }, detail: e.Message, title: "The limit cannot be set.");
        }
    }

    /// <summary>The change a <see cref="SetLimitRequest"/> asks for (at least one of the limit and the margin), or what is wrong.</summary>
    internal static BodyReading<LimitChange> Read(ReadOnlyMemory<byte> body)
    {
        var reading = StrictBody.Read<SetLimitRequest>(body, Example);
        if (reading.Value is not { } request)
        {
            return reading.Failed<LimitChange>();
        }

        var errors = new MemberErrors();
        if (request is { PermitsPerSecond: null, SafetyMargin: null })
        {
            errors.Add("limit", $"permitsPerSecond or safetyMargin is required; send {Example} or {MarginExample}, or null for either to go back to the configured one.");
        }

        if (request.PermitsPerSecond?.Value is { } permits && !(permits > 0 && double.IsFinite(permits)))
        {
            errors.Add("permitsPerSecond", $"permitsPerSecond must be a number greater than 0 (or null), got {permits.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (request.SafetyMargin?.Value is { } margin && margin is not (>= 0 and < 1))
        {
            errors.Add("safetyMargin", $"safetyMargin must be a number at least 0 and less than 1 (or null), got {margin.ToString(CultureInfo.InvariantCulture)}.");
        }

        return errors.HasErrors
            ? BodyReading<LimitChange>.Invalid(errors.ToDictionary())
            : BodyReading<LimitChange>.Read(new LimitChange(Setting(request.PermitsPerSecond), Setting(request.SafetyMargin), request.Force ?? false));
    }

    private static LimitChange.Setting? Setting(Resettable? value) => value is null ? null : new(value.Value);

    /// <summary>The platform's calls per second over the last 15 minutes against its limit, with the throttle answers: what the dashboard plots.</summary>
    internal static Results<Ok<PlatformCalls>, ProblemHttpResult> Calls(string name, IConfiguration configuration, PlatformLimits limits, PlatformBoard board)
    {
        if (Configured(configuration, name) is not { } platform)
        {
            return NoSuchPlatform(configuration, name);
        }

        var limit = limits.Get(platform);
        var points = board.Calls(platform);
        return TypedResults.Ok(new PlatformCalls(platform, limit.PermitsPerSecond, Math.Round(limit.PermitsPerSecond * (1 - limit.SafetyMargin), 3), 5, points));
    }

    /// <summary>The platform as configured under <c>Platforms:</c> (names are case-insensitive there), or null.</summary>
    internal static string? Configured(IConfiguration configuration, string name) =>
        Names(configuration).FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The title of a 404 about the platform, which clients tell from one about what is under it.</summary>
    public const string NoSuchPlatformTitle = "No such platform.";

    /// <summary>404 naming the platforms that are configured.</summary>
    internal static ProblemHttpResult NoSuchPlatform(IConfiguration configuration, string name) =>
        TypedResults.Problem($"No platform '{name}' is configured; configured: {string.Join(", ", Names(configuration))}.", statusCode: StatusCodes.Status404NotFound, title: NoSuchPlatformTitle);

    private static List<string> Names(IConfiguration configuration) =>
        [.. configuration.GetSection("Platforms").GetChildren().Select(c => c.Key).Order(StringComparer.OrdinalIgnoreCase)];
}

/// <summary>The body of <c>GET /api/platforms</c>.</summary>
public sealed record PlatformList(IReadOnlyList<PlatformView> Platforms);

/// <summary>The body of <c>GET /api/platforms/{name}/calls</c>.</summary>
/// <param name="PermitsPerSecond">The limit the fleet keeps now.</param>
/// <param name="BudgetPerSecond">What the fleet may use of it: the limit less the safety margin.</param>
/// <param name="BucketSeconds">The width of each point.</param>
/// <param name="Points">Oldest first, the last 15 minutes, empty buckets included.</param>
public sealed record PlatformCalls(string Platform, double PermitsPerSecond, double BudgetPerSecond, int BucketSeconds, IReadOnlyList<CallPoint> Points);

/// <summary>A platform's limit and its budget as the fleet reports it.</summary>
/// <param name="PermitsPerSecond">The limit the fleet keeps now.</param>
/// <param name="Live">True while a limit set at run time replaces the configured one.</param>
/// <param name="SafetyMargin">The share of the limits the fleet leaves to the partner key's other clients now (the sellers' live sync).</param>
/// <param name="LiveMargin">True while a margin set at run time replaces the configured one.</param>
/// <param name="PerShopPermitsPerSecond">The configured limit of one shop's calls; null when the platform has none.</param>
/// <param name="Counting">Where in a call the platform counts it: <c>Strict</c> or <c>Arrival</c> (<c>RateLimit:Counting</c>).</param>
/// <param name="ArrivalJitterMilliseconds">The margin for the requests' delay when counted on arrival; 0 when strict.</param>
public sealed record PlatformView(
    string Platform, double PermitsPerSecond, double ConfiguredPermitsPerSecond, bool Live, int Lanes, PlatformStatus Budget,
    double SafetyMargin = 0, double ConfiguredSafetyMargin = 0, bool LiveMargin = false,
    double? PerShopPermitsPerSecond = null, string Counting = nameof(RateLimitCounting.Strict), double ArrivalJitterMilliseconds = 0)
{
    public static PlatformView Of(PlatformLimit limit, PlatformStatus budget)
    {
        ArgumentNullException.ThrowIfNull(limit);
        return new(
            limit.Platform, limit.PermitsPerSecond, limit.ConfiguredPermitsPerSecond, limit.Live, limit.Lanes, budget, limit.SafetyMargin, limit.ConfiguredSafetyMargin, limit.LiveMargin,
            limit.PerShopPermitsPerSecond, limit.Counting.ToString(), limit.ArrivalJitter.TotalMilliseconds);
    }
}
