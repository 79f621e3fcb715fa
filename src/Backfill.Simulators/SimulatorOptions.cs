using System.Net;
using Backfill.Platforms.Configuration;

namespace Backfill.Simulators;

/// <summary>How a <see cref="PlatformSimulator"/> listens, limits and authenticates.</summary>
public sealed class SimulatorOptions
{
    /// <summary>The address it listens on: 127.0.0.1 (default) keeps it to this machine; 0.0.0.0 lets other machines or containers call it.</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>The port on <see cref="Address"/>; 0 (default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Calls admitted in any sliding second for the whole partner; 0 (default) is unlimited.</summary>
    public double PermitsPerSecond { get; set; }

    /// <summary>Calls admitted in any sliding second per shop; null (default) or 0 is unlimited.</summary>
    public double? PerShopPermitsPerSecond { get; set; }

    /// <summary>The partner id calls must carry. Default 1000001.</summary>
    public long PartnerId { get; set; } = 1_000_001;

    /// <summary>The key signatures are checked with. Default <c>simulator-partner-key</c>.</summary>
    public string PartnerKey { get; set; } = "simulator-partner-key";

    /// <summary>The token of each shop by shop id; when empty (default) any non-empty token is accepted.</summary>
    public Dictionary<string, string> AccessTokens { get; set; } = [];

    /// <summary>
    /// The refresh token of each shop by shop id, for <c>POST /api/v2/auth/access_token/get</c>; every refresh issues a new
    /// one and the used one stops working. Default none: every refresh is refused.
    /// </summary>
    public Dictionary<string, string> RefreshTokens { get; set; } = [];

    /// <summary>
    /// The life of every access token: the configured ones from the start, the refreshed ones from their refresh; a call
    /// with an older one is answered <c>invalid_acceess_token</c>. At least 1 s. Null (default): the configured tokens never
    /// expire and refreshed ones live Shopee's 4 hours.
    /// </summary>
    public TimeSpan? TokenTtl { get; set; }

    /// <summary>Selects the catalog; the same seed gives the same orders everywhere. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Shops whose catalogue holds this many times the usual orders (a hot shop, R8); others keep 1. Default none.</summary>
    public Dictionary<string, int> ShopVolume { get; set; } = [];

    /// <summary>Added to every admitted call; changeable later through <see cref="SimulatorSwitches.Latency"/>. Default none.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When set, each admitted call waits a uniform draw in [<see cref="Latency"/>, this] instead (seeded by <see cref="Seed"/>). Default none.</summary>
    public TimeSpan? LatencyMax { get; set; }

    /// <summary>A description for logs; the key and tokens are masked.</summary>
    public override string ToString() =>
        $"Address={Address}, Port={Port}, PermitsPerSecond={PermitsPerSecond}, PerShopPermitsPerSecond={PerShopPermitsPerSecond}, PartnerId={PartnerId}, " +
        $"PartnerKey={Secrets.Mask(PartnerKey)}, AccessTokens=[{string.Join(", ", AccessTokens.Keys)}], RefreshTokens=[{string.Join(", ", RefreshTokens.Keys)}], TokenTtl={TokenTtl}, Seed={Seed}, Latency={Latency}, LatencyMax={LatencyMax}";

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Port, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65_535, nameof(Port));
        if (!(PermitsPerSecond >= 0) || double.IsInfinity(PermitsPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(PermitsPerSecond), PermitsPerSecond, "must be 0 (unlimited) or a positive number");
        }

        if (PerShopPermitsPerSecond is { } perShop && (!(perShop >= 0) || double.IsInfinity(perShop)))
        {
            throw new ArgumentOutOfRangeException(nameof(PerShopPermitsPerSecond), perShop, "must be 0 (unlimited) or a positive number");
        }

        ArgumentException.ThrowIfNullOrEmpty(PartnerKey, nameof(PartnerKey));
        if (ShopVolume.Values.Any(factor => factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ShopVolume), "a shop's volume factor must be at least 1");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(Latency, TimeSpan.Zero, nameof(Latency));
        if (LatencyMax is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(max, Latency, nameof(LatencyMax));
        }
        if (TokenTtl is { } ttl)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(ttl, TimeSpan.FromSeconds(1), nameof(TokenTtl));
        }
    }
}
