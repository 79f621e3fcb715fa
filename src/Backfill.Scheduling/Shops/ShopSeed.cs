using Backfill.Core.Shops;

namespace Backfill.Scheduling.Shops;

/// <summary>What seeding does at start with a shop configured under <c>Platforms:{name}:Shops:{id}</c>.</summary>
public enum SeedAction
{
    /// <summary>The registry has no such shop: it is made from the configuration.</summary>
    Create,

    /// <summary>The configuration's tokens changed and the registry still holds the old ones: the new ones are taken.</summary>
    TakeSeed,

    /// <summary>The registry's record stands.</summary>
    Keep,
}

/// <summary>
/// How configuration meets the shop registry at start. The configuration seeds the registry; once the registry has moved
/// on from a seed — a refresh bought new tokens (<see cref="ShopRecord.TokenVersion"/> above 0: the seed's refresh token
/// is spent) or an operator brought tokens through the API — the registry wins, so a restart never puts back a refresh
/// token the platform has already rotated away. A seed is compared by its keyed fingerprint, never kept in plain text.
/// </summary>
public static class ShopSeed
{
    public static SeedAction Decide(ShopRecord? existing, string? fingerprint) => existing switch
    {
        null => SeedAction.Create,

        // Without a key no token is stored, so there is nothing to take; what the registry holds waits for the key.
        _ when fingerprint is null => SeedAction.Keep,
        { Origin: ShopOrigins.Configuration, TokenVersion: 0 } when !string.Equals(existing.SeedFingerprint, fingerprint, StringComparison.Ordinal) => SeedAction.TakeSeed,
        _ => SeedAction.Keep,
    };

    /// <summary>The fingerprint of a shop's configured tokens under the fleet's key; null without a key.</summary>
    public static string? Fingerprint(ShopTokenSeal seal, string platform, string shop, string? accessToken, string? refreshToken) =>
        seal is not { IsEnabled: true } ? null : seal.Fingerprint($"{accessToken?.Length}:{accessToken}|{refreshToken?.Length}:{refreshToken}", $"seed:{platform.ToLowerInvariant()}:{shop}");
}
