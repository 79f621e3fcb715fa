using Backfill.Scheduling.Shops;
using Backfill.Server.Api;
using Backfill.Server.Platforms;
using Confluent.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace Backfill.Server.Shops;

/// <summary>
/// The shop registry of a platform: <c>GET /api/platforms/{name}/shops[/{shop}]</c> reads it; <c>POST …/shops</c> adds a
/// shop or gives it new tokens, <c>POST …/shops/{shop}/enable|disable|remove</c> change it (behind the API token, as every
/// change). Answers never hold a token: states, origins, expiries and the last refresh only. 404 for an unknown platform or
/// shop, 400 for a bad body, 409 for a command the shop's state, its jobs or the missing secret key do not allow.
/// </summary>
internal static class ShopsApi
{
    /// <summary>Who made a change through the API, as the log records it.</summary>
    private const string By = "api";

    public static IEndpointRouteBuilder MapShopsApi(this IEndpointRouteBuilder app)
    {
        var shops = app.MapGroup("/api/platforms/{platform}/shops");
        shops.MapGet("/", List);
        shops.MapGet("/{shop}", Get);
        shops.MapPost("/", AddAsync).Accepts<AddShopRequest>("application/json");
        shops.MapPost("/{shop}/enable", (string platform, string shop, IConfiguration configuration, ShopRegistry registry, TimeProvider time) =>
            Run(configuration, platform, name => TypedResults.Ok(ShopView.Of(registry.Enable(name, shop, By), time.GetUtcNow()))));
        shops.MapPost("/{shop}/disable", (string platform, string shop, IConfiguration configuration, ShopRegistry registry, TimeProvider time) =>
            Run(configuration, platform, name => TypedResults.Ok(ShopView.Of(registry.Disable(name, shop, By), time.GetUtcNow()))));
        shops.MapPost("/{shop}/remove", (string platform, string shop, IConfiguration configuration, ShopRegistry registry) =>
            Run(configuration, platform, name => TypedResults.Ok(ShopRemoved.Of(name, shop, registry.Remove(name, shop, By)))));
        return app;
    }

    internal static Results<Ok<ShopList>, ProblemHttpResult> List(string platform, IConfiguration configuration, ShopRegistry registry, TimeProvider time) =>
        PlatformsApi.Configured(configuration, platform) is { } name
            ? TypedResults.Ok(new ShopList([.. registry.All(name).Select(s => ShopView.Of(s, time.GetUtcNow()))]))
            : PlatformsApi.NoSuchPlatform(configuration, platform);

    internal static Results<Ok<ShopView>, ProblemHttpResult> Get(string platform, string shop, IConfiguration configuration, ShopRegistry registry, TimeProvider time) =>
        Run(configuration, platform, name => TypedResults.Ok(ShopView.Of(registry.Get(name, shop), time.GetUtcNow())));

    internal static async Task<Results<Created<ShopView>, Ok<ShopView>, ProblemHttpResult, ValidationProblem>> AddAsync(
        string platform, HttpRequest request, IConfiguration configuration, ShopRegistry registry, TimeProvider time, CancellationToken cancellationToken)
    {
        if (PlatformsApi.Configured(configuration, platform) is not { } name)
        {
            return PlatformsApi.NoSuchPlatform(configuration, platform);
        }

        var reading = AddShopReader.Read(await StrictBody.BufferAsync(request, cancellationToken), configuration[$"Platforms:{name}:Kind"]);
        if (reading.Unreadable is { } unreadable)
        {
            return TypedResults.Problem(unreadable, statusCode: StatusCodes.Status400BadRequest, title: "The body is not a shop.");
        }

        if (reading.Value is not { } ask)
        {
            return TypedResults.ValidationProblem(reading.Errors, detail: string.Join(" ", reading.Errors.Values.SelectMany(m => m)), title: "The shop is invalid.");
        }

        try
        {
            var (shop, created) = await registry.AddAsync(name, ask.Shop, ask.RefreshToken, ask.AccessToken, ask.Name, By, cancellationToken);
            var view = ShopView.Of(shop, time.GetUtcNow());
            return created
                ? TypedResults.Created($"/api/platforms/{Uri.EscapeDataString(name.ToLowerInvariant())}/shops/{Uri.EscapeDataString(shop.Shop)}", view)
                : TypedResults.Ok(view);
        }
        catch (ShopCommandRefusedException e)
        {
            return Refused(e);
        }
        catch (KafkaException e)
        {
            return TypedResults.Problem(
                $"The shop's tokens are stored, but the workers could not be told through Kafka ({e.Error.Reason}); they get its access token with its next refresh. Add it again to announce it now.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Kafka is unavailable.");
        }
    }

    /// <summary>The command's answer for a configured platform, or the problem its exception stands for.</summary>
    private static Results<Ok<T>, ProblemHttpResult> Run<T>(IConfiguration configuration, string platform, Func<string, Ok<T>> command)
    {
        if (PlatformsApi.Configured(configuration, platform) is not { } name)
        {
            return PlatformsApi.NoSuchPlatform(configuration, platform);
        }

        try
        {
            return command(name);
        }
        catch (ShopNotFoundException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status404NotFound, title: "No such shop.");
        }
        catch (ShopCommandRefusedException e)
        {
            return Refused(e);
        }
    }

    private static ProblemHttpResult Refused(ShopCommandRefusedException e) =>
        TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict, title: "Not allowed for the shop now.");
}

/// <summary>The answer of <c>POST /api/platforms/{name}/shops/{shop}/remove</c>.</summary>
/// <param name="StillConfigured">The shop is still under <c>Platforms:</c>: jobs may name it, and the next start registers it again.</param>
/// <param name="Note">What that means for the operator; null when it is not configured.</param>
public sealed record ShopRemoved(string Platform, string Shop, bool StillConfigured, string? Note)
{
    public static ShopRemoved Of(string platform, string shop, bool stillConfigured) => new(
        platform,
        shop,
        stillConfigured,
        stillConfigured ? $"The shop is still configured under Platforms:{platform}:Shops:{shop}: jobs may name it, and the next start registers it again; remove it there too." : null);
}
