using System.Net;
using Backfill.Platforms.Configuration;

namespace Backfill.Simulators.Lazada;

/// <summary>How a <see cref="LazadaSimulator"/> listens, limits and authenticates.</summary>
public sealed class LazadaSimulatorOptions
{
    /// <summary>The address it listens on: 127.0.0.1 (default) keeps it to this machine; 0.0.0.0 lets other machines or containers call it.</summary>
    public IPAddress Address { get; set; } = IPAddress.Loopback;

    /// <summary>The port on <see cref="Address"/>; 0 (default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Calls admitted in any sliding second for the whole app; 0 (default) is unlimited.</summary>
    public double PermitsPerSecond { get; set; }

    /// <summary>The app's quotas per period, any number; a call must fit every one. Default none.</summary>
    public List<LazadaQuota> Quotas { get; set; } = [];

    /// <summary>The app key calls must carry. Default 100001.</summary>
    public long AppKey { get; set; } = 100_001;

    /// <summary>The secret signatures are checked with. Default <c>simulator-app-secret</c>.</summary>
    public string AppSecret { get; set; } = "simulator-app-secret";

    /// <summary>
    /// The access token of each seller by shop id (the operator's name for the seller, e.g. <c>seller-a</c>): the token
    /// alone tells the platform whose orders a call reads. At least one.
    /// </summary>
    public Dictionary<string, string> AccessTokens { get; set; } = [];

    /// <summary>
    /// The refresh token of each seller by shop id, for <c>/auth/token/refresh</c>; it is not rotated: the same one keeps
    /// working. Default none: every refresh is refused.
    /// </summary>
    public Dictionary<string, string> RefreshTokens { get; set; } = [];

    /// <summary>
    /// The life of every access token: the configured ones from the start, the refreshed ones from their refresh; a call
    /// with an older one is answered <c>IllegalAccessToken</c>. At least 1 s. Null (default): the configured tokens never
    /// expire and refreshed ones live Lazada's 7 days.
    /// </summary>
    public TimeSpan? TokenTtl { get; set; }

    /// <summary>Selects the catalog; the same seed gives the same orders everywhere. Default 42.</summary>
    public int Seed { get; set; } = 42;

    /// <summary>Sellers whose catalog holds this many times the usual orders (30 gives some days more than 5,100); others keep 1. Default none.</summary>
    public Dictionary<string, int> ShopVolume { get; set; } = [];

    /// <summary>Added to every admitted call; changeable later through <see cref="SimulatorSwitches.Latency"/>. Default none.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>When set, each admitted call waits a uniform draw in [<see cref="Latency"/>, this] instead (seeded by <see cref="Seed"/>). Default none.</summary>
    public TimeSpan? LatencyMax { get; set; }

    /// <summary>A description for logs; the secret and tokens are masked.</summary>
    public override string ToString() =>
        $"Address={Address}, Port={Port}, PermitsPerSecond={PermitsPerSecond}, Quotas=[{string.Join("; ", Quotas)}], AppKey={AppKey}, AppSecret={Secrets.Mask(AppSecret)}, " +
        $"AccessTokens=[{string.Join(", ", AccessTokens.Keys)}], RefreshTokens=[{string.Join(", ", RefreshTokens.Keys)}], TokenTtl={TokenTtl}, Seed={Seed}, Latency={Latency}, LatencyMax={LatencyMax}";

    /// <summary>Checks every setting and resolves the quotas' zones.</summary>
    internal List<(LazadaQuota Quota, TimeZoneInfo Zone)> Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Port, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Port, 65_535, nameof(Port));
        if (!(PermitsPerSecond >= 0) || double.IsInfinity(PermitsPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(PermitsPerSecond), PermitsPerSecond, "must be 0 (unlimited) or a positive number");
        }

        ArgumentException.ThrowIfNullOrEmpty(AppSecret, nameof(AppSecret));
        if (AccessTokens.Count == 0 || AccessTokens.Values.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("AccessTokens must give every seller a token, and name at least one: the token is how a call names its seller.", nameof(AccessTokens));
        }

        if (AccessTokens.Values.Distinct(StringComparer.Ordinal).Count() != AccessTokens.Count)
        {
            throw new ArgumentException("AccessTokens must differ between sellers: the token is how a call names its seller.", nameof(AccessTokens));
        }

        if (RefreshTokens.Values.Any(string.IsNullOrEmpty) || RefreshTokens.Values.Distinct(StringComparer.Ordinal).Count() != RefreshTokens.Count)
        {
            throw new ArgumentException("RefreshTokens must be non-empty and differ between sellers: the refresh token is how a refresh names its seller.", nameof(RefreshTokens));
        }

        if (ShopVolume.Values.Any(factor => factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ShopVolume), "a seller's volume factor must be at least 1");
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

        return [.. Quotas.Select(q => (q, q.Validate()))];
    }
}
