using System.Text.Json;
using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Lazada;

/// <summary>
/// Lazada's token refresh: <c>GET /auth/token/refresh?refresh_token=…</c>, an app call (no access token). One attempt,
/// within the platform's timeout; the caller (the fleet's one refresher) decides when to try again and admits the call
/// into the platform's budget. Lazada does not rotate the refresh token: the answer's is kept, usually the same one.
/// </summary>
internal sealed class LazadaTokenRefresh(string platform, PlatformOptions options, LazadaClient client, TimeProvider time) : IPlatformTokenRefresh
{
    public async Task<RefreshedTokens> RefreshAsync(string shop, string refreshToken, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var answer = await PlatformHttp.SendAsync(
            platform,
            t => client.GetAsync(LazadaPaths.TokenRefresh, [KeyValuePair.Create("refresh_token", refreshToken)], null, t),
            [options.AppSecret, refreshToken],
            time,
            cancellationToken,
            attempt.Token);

        Tokens tokens;
        try
        {
            tokens = LazadaResponses.Read(answer, Read);
        }
        catch (PlatformException e) when (e.Kind == PlatformErrorKind.TokenExpired)
        {
            // No access token was sent: whatever the wording, the platform refused this seller's authorisation.
            throw new PlatformException(platform, PlatformErrorKind.Permanent, e.Code, e.Detail, e.RetryAfter);
        }

        var now = time.GetUtcNow();
        return new RefreshedTokens(
            tokens.AccessToken,
            now.AddSeconds(tokens.ExpiresIn),
            string.IsNullOrEmpty(tokens.RefreshToken) ? refreshToken : tokens.RefreshToken,
            tokens.RefreshExpiresIn is { } refreshLife ? now.AddSeconds(refreshLife) : null);
    }

    /// <summary>The answer's tokens (beside <c>code</c> at the top); null without an access token and a positive life.</summary>
    private static Tokens? Read(JsonElement root) =>
        LazadaResponses.Text(root, "access_token") is { Length: > 0 } access && Seconds(root, "expires_in") is > 0 and var life
            ? new Tokens(access, life, LazadaResponses.Text(root, "refresh_token"), Seconds(root, "refresh_expires_in") is > 0 and var refreshLife ? refreshLife : (long?)null)
            : null;

    private static long? Seconds(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds) && seconds <= MaxSeconds ? seconds : null;

    // Far beyond any token's life, and far from DateTimeOffset's end.
    private const long MaxSeconds = 100L * 365 * 24 * 3600;

    /// <summary>A refresh's answer. Secret: <see cref="ToString"/> masks the tokens.</summary>
    private sealed record Tokens(string AccessToken, long ExpiresIn, string? RefreshToken, long? RefreshExpiresIn)
    {
        public override string ToString() => $"Tokens {{ AccessToken = ***, ExpiresIn = {ExpiresIn}, RefreshToken = ***, RefreshExpiresIn = {RefreshExpiresIn} }}";
    }
}
