namespace Backfill.Core.Shops;

/// <summary>
/// A shop of a platform as the scheduler's registry keeps it: its state and its tokens, sealed under
/// <c>Backfill:SecretKey</c> (<see cref="Secrets.SecretBox"/>, contexts from <see cref="ShopTokenContext"/>). Only the
/// scheduler writes it. Nothing here is secret in plain text, so the record may be logged whole except for the boxes.
/// </summary>
public sealed class ShopRecord
{
    /// <summary><c>{platform}:{shop}</c>, the platform name in lower case (configuration names are case-insensitive).</summary>
    public string Id { get; set; } = "";

    /// <summary>The platform's name as configured under <c>Platforms:</c>.</summary>
    public string Platform { get; set; } = "";

    /// <summary>The platform's shop id (Shopee) or the operator's name for the seller (Lazada).</summary>
    public string Shop { get; set; } = "";

    /// <summary>A name for people; not unique.</summary>
    public string? Name { get; set; }

    public ShopState State { get; set; }

    /// <summary>Where the record came from: <c>configuration</c> (seeded at start) or <c>api</c>.</summary>
    public string Origin { get; set; } = ShopOrigins.Configuration;

    /// <summary>The access token, sealed; null when the registry holds none (the workers' configuration then has it).</summary>
    public byte[]? AccessToken { get; set; }

    public DateTimeOffset? AccessExpiresAt { get; set; }

    /// <summary>The refresh token, sealed; the newest one, stored before the access token it bought is handed out.</summary>
    public byte[]? RefreshToken { get; set; }

    public DateTimeOffset? RefreshExpiresAt { get; set; }

    /// <summary>Grows by one with every new access token; workers use the highest they have heard of. 0: configuration's.</summary>
    public long TokenVersion { get; set; }

    public DateTimeOffset? LastRefreshAt { get; set; }

    /// <summary>The last refresh's outcome in words (never a token): <c>ok</c>, or the platform's refusal or failure.</summary>
    public string? LastRefreshOutcome { get; set; }

    /// <summary>True when the last refresh failed (refused or not answered).</summary>
    public bool LastRefreshFailed { get; set; }

    /// <summary>
    /// A keyed fingerprint of the configuration's tokens the record was seeded from (never the tokens): a changed seed
    /// is taken at start unless the registry has moved on (a refresh rotated the token, or the API changed the shop).
    /// </summary>
    public string? SeedFingerprint { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public static string MakeId(string platform, string shop) => $"{platform.ToLowerInvariant()}:{shop}";
}

/// <summary>Where a <see cref="ShopRecord"/> came from.</summary>
public static class ShopOrigins
{
    public const string Configuration = "configuration";
    public const string Api = "api";
}

/// <summary>The associated data a shop's sealed tokens are bound to: a box opens only as the token it was sealed as.</summary>
public static class ShopTokenContext
{
    public static string Access(string platform, string shop, long version) => $"access:{platform.ToLowerInvariant()}:{shop}:{version}";

    public static string Refresh(string platform, string shop) => $"refresh:{platform.ToLowerInvariant()}:{shop}";
}
