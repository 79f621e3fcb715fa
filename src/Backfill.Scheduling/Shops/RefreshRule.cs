using Backfill.Core.Shops;

namespace Backfill.Scheduling.Shops;

/// <summary>
/// When a shop's tokens are refreshed: ahead of expiry, once less than <see cref="LeftShare"/> of the access token's life
/// is left (life: from the refresh that bought it, <see cref="ShopRecord.LastRefreshAt"/>, to its expiry); at once when its
/// expiry is unknown (a token from configuration or the API) and a refresh token is known; at once when a worker saw the
/// current version refused. Only active shops with a refresh token are refreshed.
/// </summary>
public static class RefreshRule
{
    /// <summary>A token is refreshed when less than this share of its life is left: a quarter, an hour of Shopee's four.</summary>
    public const double LeftShare = 0.25;

    private static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestBackoff = TimeSpan.FromMinutes(5);

    /// <summary>When the shop's tokens are due (<see cref="DateTimeOffset.MinValue"/>: now); null when they never are.</summary>
    public static DateTimeOffset? DueAt(ShopRecord shop)
    {
        ArgumentNullException.ThrowIfNull(shop);
        if (shop.State != ShopState.Active || shop.RefreshToken is null)
        {
            return null;
        }

        if (shop.AccessToken is null || shop.AccessExpiresAt is not { } expires || shop.LastRefreshAt is not { } bought || expires <= bought)
        {
            return DateTimeOffset.MinValue;
        }

        return expires - ((expires - bought) * LeftShare);
    }

    public static bool IsDue(ShopRecord shop, DateTimeOffset now) => DueAt(shop) is { } due && due <= now;

    /// <summary>
    /// Whether a worker's refusal of <paramref name="refusedVersion"/> calls for a refresh: not when the shop has a newer
    /// version already (that one is on its way to the worker), else yes; null (a shop with no access token yet) always does.
    /// </summary>
    public static bool AnswersRefusal(ShopRecord shop, long? refusedVersion)
    {
        ArgumentNullException.ThrowIfNull(shop);
        return refusedVersion is not { } refused || refused >= shop.TokenVersion;
    }

    /// <summary>The wait before trying again after <paramref name="failures"/> failed refreshes in a row: 1 s doubling to 5 min, never before the platform's Retry-After.</summary>
    public static TimeSpan Backoff(int failures, TimeSpan? retryAfter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var doubled = failures > 20 ? LongestBackoff : FirstBackoff * Math.Pow(2, failures - 1);
        var wait = doubled < LongestBackoff ? doubled : LongestBackoff;
        return retryAfter is { } after && after > wait ? after : wait;
    }
}
