using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Scheduling.Shops;
using Backfill.Server.Platforms;
using Backfill.Server.Shops;

namespace Backfill.Cli.Remote;

/// <summary>
/// The shop registry of a running scheduler. An unknown platform or a bad request is the operator's mistake (exit 2); an
/// unknown shop, or a command the shop's state, its jobs or the scheduler's missing secret key refuse, is the operation
/// failing (exit 1) with the scheduler's own words.
/// </summary>
internal sealed partial class SchedulerClient
{
    /// <summary>The shops of <paramref name="platform"/>, or of every configured platform when null, by platform then shop.</summary>
    public async Task<(ShopList List, string Body)> ShopsAsync(string? platform, CancellationToken cancellationToken)
    {
        var platforms = platform is null ? [.. (await PlatformsAsync(cancellationToken)).List.Platforms.Select(p => p.Platform)] : new List<string> { platform };
        var shops = new List<ShopView>();
        var raw = new List<string>();
        foreach (var name in platforms)
        {
            var (status, body) = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, $"api/platforms/{Uri.EscapeDataString(name)}/shops"), cancellationToken);
            var list = status == HttpStatusCode.OK && Read<ShopList>(body) is { } read ? read : throw ShopProblem(status, body);
            shops.AddRange(list.Shops);
            using var document = JsonDocument.Parse(body);
            raw.AddRange(document.RootElement.GetProperty("shops").EnumerateArray().Select(s => s.GetRawText()));
        }

        return (new ShopList(shops), $"{{\"shops\":[{string.Join(",", raw)}]}}");
    }

    /// <summary>Registers a shop, or gives a registered one new tokens; the tokens go in the body only, never in a URL.</summary>
    public async Task<(ShopView Shop, string Body, bool Created)> AddShopAsync(string platform, string shop, string refreshToken, string? accessToken, string? name, CancellationToken cancellationToken)
    {
        var (status, body) = await SendAsync(
            () => Authorized(new HttpRequestMessage(HttpMethod.Post, $"api/platforms/{Uri.EscapeDataString(platform)}/shops")
            {
                Content = JsonContent.Create(new { shop, refreshToken, accessToken, name }, options: Json),
            }),
            cancellationToken);
        return status is HttpStatusCode.Created or HttpStatusCode.OK && Read<ShopView>(body) is { } view
            ? (view, body, status == HttpStatusCode.Created)
            : throw ShopProblem(status, body);
    }

    /// <summary><c>enable</c> or <c>disable</c>: the shop afterwards.</summary>
    public Task<(ShopView Shop, string Body)> ShopCommandAsync(string platform, string shop, string command, CancellationToken cancellationToken) =>
        PostShopAsync<ShopView>(platform, shop, command, cancellationToken);

    public Task<(ShopRemoved Removed, string Body)> RemoveShopAsync(string platform, string shop, CancellationToken cancellationToken) =>
        PostShopAsync<ShopRemoved>(platform, shop, "remove", cancellationToken);

    private async Task<(T Result, string Body)> PostShopAsync<T>(string platform, string shop, string command, CancellationToken cancellationToken)
        where T : class
    {
        var (status, body) = await SendAsync(
            () => Authorized(new HttpRequestMessage(HttpMethod.Post, $"api/platforms/{Uri.EscapeDataString(platform)}/shops/{Uri.EscapeDataString(shop)}/{command}")),
            cancellationToken);
        return status == HttpStatusCode.OK && Read<T>(body) is { } result ? (result, body) : throw ShopProblem(status, body);
    }

    private Exception ShopProblem(HttpStatusCode status, string body) => status switch
    {
        HttpStatusCode.BadRequest => new UsageException(Problem(body) ?? "the scheduler refused the request (400)."),
        HttpStatusCode.NotFound when Title(body) == PlatformsApi.NoSuchPlatformTitle => new UsageException(Problem(body) ?? "no such platform"),
        HttpStatusCode.NotFound => new OperationFailedException(Problem(body) ?? "no such shop"),
        _ => Refused(status, body),
    };

    private static string? Title(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("title", out var title) ? title.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
