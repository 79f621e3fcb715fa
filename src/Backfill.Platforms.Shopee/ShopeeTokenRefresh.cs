using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Shopee;

/// <summary>
/// Shopee's token refresh: <c>POST /api/v2/auth/access_token/get</c>, a public call whose body carries the refresh token.
/// One attempt, within the platform's timeout; the caller (the fleet's one refresher) decides when to try again and
/// admits the call into the platform's budget.
/// </summary>
internal sealed class ShopeeTokenRefresh(string platform, PlatformOptions options, IShopeeApi api, TimeProvider time) : IPlatformTokenRefresh
{
    /// <summary>Shopee's refresh tokens live 30 days; the answer does not say so.</summary>
    public static readonly TimeSpan RefreshTokenLife = TimeSpan.FromDays(30);

    public async Task<RefreshedTokens> RefreshAsync(string shop, string refreshToken, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        if (!long.TryParse(shop, NumberStyles.None, CultureInfo.InvariantCulture, out var shopId))
        {
            throw new PlatformException(platform, PlatformErrorKind.Permanent, "invalid_shop_id", $"shop id '{shop}' is not a number");
        }

        using var timeout = new CancellationTokenSource(options.Timeout, time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var body = JsonSerializer.Serialize(new AccessTokenRequest(refreshToken, options.PartnerId, shopId), ShopeeJsonContext.Default.AccessTokenRequest);
        var answer = await PlatformHttp.SendAsync(
            platform,
            async t =>
            {
                using var content = new StringContent(body, System.Text.Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
                return await api.GetAccessTokenAsync(content, t);
            },
            [options.PartnerKey, refreshToken],
            time,
            cancellationToken,
            attempt.Token);

        AccessTokenResponse tokens;
        try
        {
            tokens = ShopeeResponseReader.ReadAccessToken(platform, answer.Status, answer.RetryAfter, answer.Body, answer.Secrets);
        }
        catch (PlatformException e) when (e.Kind == PlatformErrorKind.TokenExpired)
        {
            // No access token was sent: whatever the wording, the platform refused this shop's authorisation.
            throw new PlatformException(platform, PlatformErrorKind.Permanent, e.Code, e.Detail, e.RetryAfter);
        }

        var now = time.GetUtcNow();
        return new RefreshedTokens(tokens.AccessToken, now.AddSeconds(tokens.ExpireIn), tokens.RefreshToken, now + RefreshTokenLife);
    }
}
