using System.Security.Cryptography;

namespace Backfill.Simulators;

/// <summary>
/// The shops' tokens as the platform keeps them (PLATFORM-API.md, Tokens): every access token lives for
/// <see cref="SimulatorOptions.TokenTtl"/> from when it was issued (the configured ones from the start), and every
/// refresh returns a new access token and a new refresh token, the one used stopping at once (rotation). Earlier access
/// tokens keep working until their own expiry. A simulator given no tokens at all accepts any access token. A platform that
/// does not rotate (Lazada) keeps the refresh token working after a refresh.
/// </summary>
public sealed class SimulatorTokens
{
    /// <summary>How every access token the simulator issues begins: a scan for it finds any that leaked.</summary>
    public const string AccessPrefix = "sim-access-";

    /// <summary>How every refresh token the simulator issues begins.</summary>
    public const string RefreshPrefix = "sim-refresh-";

    /// <summary>The life of an issued access token when no TTL is configured: Shopee's 4 hours.</summary>
    internal static readonly TimeSpan DefaultLife = TimeSpan.FromHours(4);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Issued>> _access = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _refresh = new(StringComparer.Ordinal);
    private readonly TimeSpan? _ttl;
    private readonly TimeProvider _time;
    private readonly bool _open;
    private readonly bool _rotate;
    private readonly TimeSpan _defaultLife;

    /// <param name="accessTokens">The configured access token of each shop.</param>
    /// <param name="refreshTokens">The configured refresh token of each shop.</param>
    /// <param name="ttl">The life of every access token; null: configured ones never expire, issued ones live <paramref name="defaultLife"/>.</param>
    /// <param name="time">The clock.</param>
    /// <param name="rotate">Whether a refresh replaces the refresh token used (Shopee) or keeps it working (Lazada).</param>
    /// <param name="defaultLife">The life of an issued access token when no TTL is configured; <see cref="DefaultLife"/> unless given.</param>
    internal SimulatorTokens(
        IReadOnlyDictionary<string, string> accessTokens, IReadOnlyDictionary<string, string> refreshTokens, TimeSpan? ttl, TimeProvider time, bool rotate = true, TimeSpan? defaultLife = null)
    {
        _ttl = ttl;
        _time = time;
        _rotate = rotate;
        _defaultLife = defaultLife ?? DefaultLife;
        _open = accessTokens.Count == 0 && refreshTokens.Count == 0;
        var configuredUntil = ttl is { } life ? time.GetUtcNow() + life : (DateTimeOffset?)null;
        foreach (var (shop, token) in accessTokens)
        {
            _access[shop] = [new Issued(token, configuredUntil, 0)];
        }

        foreach (var (shop, token) in refreshTokens)
        {
            _refresh[shop] = token;
        }
    }

    /// <summary>The life of the access tokens a refresh issues.</summary>
    internal TimeSpan Life => _ttl ?? _defaultLife;

    /// <summary>What the platform makes of <paramref name="token"/> for <paramref name="shop"/>, and which of the shop's tokens it is (0: the configured one).</summary>
    internal (TokenCheck Check, int? Generation) Check(string shop, string token)
    {
        if (_open)
        {
            return (TokenCheck.Valid, null);
        }

        lock (_lock)
        {
            var issued = _access.GetValueOrDefault(shop)?.Find(t => t.Token == token);
            return issued switch
            {
                null => (TokenCheck.Unknown, null),
                { ExpiresAt: { } expires } when expires <= _time.GetUtcNow() => (TokenCheck.Expired, issued.Generation),
                _ => (TokenCheck.Valid, issued.Generation),
            };
        }
    }

    /// <summary>
    /// New tokens for <paramref name="shop"/> when <paramref name="refreshToken"/> is its current refresh token, which stops
    /// working when tokens rotate and is returned again when they do not; null when it is not.
    /// </summary>
    internal (string AccessToken, string RefreshToken, int Generation)? Refresh(string shop, string refreshToken)
    {
        lock (_lock)
        {
            if (!_refresh.TryGetValue(shop, out var current) || current != refreshToken)
            {
                return null;
            }

            var issued = _access.TryGetValue(shop, out var list) ? list : _access[shop] = [];
            var generation = issued.Count == 0 ? 1 : issued[^1].Generation + 1;
            var access = AccessPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
            var refresh = _rotate ? RefreshPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)) : current;
            issued.Add(new Issued(access, _time.GetUtcNow() + Life, generation));
            _refresh[shop] = refresh;
            return (access, refresh, generation);
        }
    }

    /// <summary>The shop whose access token <paramref name="accessToken"/> is (configured or issued, expired or not); null when none.</summary>
    internal string? ShopOfAccessToken(string accessToken)
    {
        lock (_lock)
        {
            return _access.FirstOrDefault(shop => shop.Value.Exists(t => t.Token == accessToken)).Key;
        }
    }

    /// <summary>The shop whose current refresh token <paramref name="refreshToken"/> is; null when none.</summary>
    internal string? ShopOfRefreshToken(string refreshToken)
    {
        lock (_lock)
        {
            return _refresh.FirstOrDefault(shop => shop.Value == refreshToken).Key;
        }
    }

    /// <summary>Every access token issued so far for <paramref name="shop"/> expires now, as if its life were over; later ones live on.</summary>
    internal void ExpireIssued(string shop)
    {
        lock (_lock)
        {
            if (_access.TryGetValue(shop, out var issued))
            {
                var now = _time.GetUtcNow();
                _access[shop] = [.. issued.Select(t => t with { ExpiresAt = now })];
            }
        }
    }

    private sealed record Issued(string Token, DateTimeOffset? ExpiresAt, int Generation);
}

/// <summary>What the platform makes of an access token.</summary>
internal enum TokenCheck
{
    Valid,

    /// <summary>Never issued for the shop: <c>error_auth</c>.</summary>
    Unknown,

    /// <summary>Issued, and past its life: <c>invalid_acceess_token</c>.</summary>
    Expired,
}
