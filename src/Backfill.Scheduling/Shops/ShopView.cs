using Backfill.Core.Shops;

namespace Backfill.Scheduling.Shops;

/// <summary>
/// A registered shop as the API, the CLI and <c>doctor</c> show it: its state, where it came from and how long its tokens
/// live, never a token. Serialized camelCase.
/// </summary>
/// <param name="State"><c>active</c>, <c>disabled</c> or <c>needs-authorization</c>.</param>
/// <param name="Origin"><c>configuration</c> (seeded at start) or <c>api</c> (added by an operator).</param>
/// <param name="TokenVersion">The version of its newest access token: 0 is the configuration's, each refresh adds one.</param>
/// <param name="HasRefreshToken">True when the registry holds a refresh token, so the scheduler can refresh the shop.</param>
/// <param name="AccessSecondsLeft">Whole seconds until the access token expires, negative once it has; null when unknown.</param>
/// <param name="RefreshSecondsLeft">Whole seconds until the refresh token expires, negative once it has; null when unknown.</param>
/// <param name="Warnings">What to act on (<see cref="ShopWarnings"/>); empty when nothing is wrong.</param>
public sealed record ShopView(
    string Platform,
    string Shop,
    string? Name,
    string State,
    string Origin,
    long TokenVersion,
    bool HasRefreshToken,
    DateTimeOffset? AccessExpiresAt,
    long? AccessSecondsLeft,
    DateTimeOffset? RefreshExpiresAt,
    long? RefreshSecondsLeft,
    DateTimeOffset? LastRefreshAt,
    string? LastRefreshOutcome,
    bool LastRefreshFailed,
    IReadOnlyList<string> Warnings)
{
    public static ShopView Of(ShopRecord shop, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(shop);
        return new(
            shop.Platform,
            shop.Shop,
            shop.Name,
            ShopRules.StateName(shop.State),
            shop.Origin,
            shop.TokenVersion,
            shop.RefreshToken is { Length: > 0 },
            shop.AccessExpiresAt,
            SecondsLeft(shop.AccessExpiresAt, now),
            shop.RefreshExpiresAt,
            SecondsLeft(shop.RefreshExpiresAt, now),
            shop.LastRefreshAt,
            shop.LastRefreshOutcome,
            shop.LastRefreshFailed,
            ShopWarnings.Of(shop, now));
    }

    private static long? SecondsLeft(DateTimeOffset? until, DateTimeOffset now) => until is { } at ? (long)Math.Floor((at - now).TotalSeconds) : null;
}

/// <summary>The body of <c>GET /api/platforms/{name}/shops</c> and of <c>backfill shops --json</c>.</summary>
public sealed record ShopList(IReadOnlyList<ShopView> Shops);
