namespace Backfill.Platforms.Tokens;

/// <summary>
/// The access tokens a worker process signs its calls with: the configuration's (version 0) and every newer one the
/// scheduler announced on the control topic. The highest version of a shop is its current token; a call reads it at
/// each attempt, so a token refreshed while a step runs is used from its next call on.
/// </summary>
public interface IShopTokens
{
    /// <summary>The shop's current token, or null when this process knows none.</summary>
    ShopToken? Current(string platform, string shop);

    /// <summary>Takes <paramref name="token"/> when its version is higher than the shop's current one; true when taken.</summary>
    bool Offer(string platform, string shop, ShopToken token);

    /// <summary>
    /// Returns true once the shop has a token of a version above <paramref name="version"/>, false when none came within
    /// <paramref name="limit"/> (measured on the process's <see cref="TimeProvider"/>).
    /// </summary>
    Task<bool> WaitForNewerAsync(string platform, string shop, long version, TimeSpan limit, CancellationToken cancellationToken);
}

/// <summary>An access token and its version (0: from configuration). Secret: never logged; <see cref="ToString"/> masks it.</summary>
public sealed record ShopToken(string AccessToken, long Version, DateTimeOffset? ExpiresAt = null)
{
    public override string ToString() => $"ShopToken {{ AccessToken = ***, Version = {Version}, ExpiresAt = {ExpiresAt:O} }}";
}
