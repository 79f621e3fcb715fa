using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;
using Backfill.Platforms.Tokens;
using Refit;

namespace Backfill.Platforms.Shopee;

/// <summary>
/// Shopee's token refresh (PLATFORM-API.md, Tokens): <c>POST /api/v2/auth/access_token/get</c>, a public call whose body
/// carries the refresh token. One attempt per call, within the platform's timeout; the caller (the fleet's one
/// refresher) decides when to try again. Each platform's refreshes pass a window of one call per budget window, the place
/// the lane plan keeps for them (docs/rate-budget.md, "Token calls").
/// </summary>
internal sealed class ShopeeTokenRefresh : ITokenRefresh
{
    /// <summary>Shopee's refresh tokens live 30 days; the answer does not say so.</summary>
    public static readonly TimeSpan RefreshTokenLife = TimeSpan.FromDays(30);

    private readonly Dictionary<string, Target> _targets;
    private readonly TimeProvider _time;

    public ShopeeTokenRefresh(IEnumerable<(string Platform, PlatformOptions Options, IShopeeApi Api)> platforms, TimeProvider time)
    {
        _time = time;
        _targets = platforms.ToDictionary(
            p => p.Platform,
            p => new Target(p.Options, p.Api, new CallWindow(1, LanePlan.For(p.Options.RateLimit).Window, time)),
            StringComparer.OrdinalIgnoreCase);
        Platforms = [.. _targets.Keys.Order(StringComparer.OrdinalIgnoreCase)];
    }

    public IReadOnlyCollection<string> Platforms { get; }

    public async Task<RefreshedTokens> RefreshAsync(string platform, string shop, string refreshToken, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(refreshToken);
        if (!_targets.TryGetValue(platform, out var target))
        {
            throw new UnknownPlatformException(platform, Platforms);
        }

        if (!long.TryParse(shop, NumberStyles.None, CultureInfo.InvariantCulture, out var shopId))
        {
            throw new PlatformException(platform, PlatformErrorKind.Permanent, "invalid_shop_id", $"shop id '{shop}' is not a number");
        }

        CallWindow.Call? call;
        while (!target.Window.TryStart(out call))
        {
            await target.Window.WaitForRoomAsync(cancellationToken);
        }

        using (call)
        {
            using var timeout = new CancellationTokenSource(target.Options.Timeout, _time);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            var body = JsonSerializer.Serialize(new AccessTokenRequest(refreshToken, target.Options.PartnerId, shopId), ShopeeJsonContext.Default.AccessTokenRequest);
            int status;
            TimeSpan? retryAfter;
            string answer;
            try
            {
                using var content = new StringContent(body, System.Text.Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
                using var response = await target.Api.GetAccessTokenAsync(content, attempt.Token);
                status = (int)response.StatusCode;
                retryAfter = RetryAfterHeader.Parse(response.Headers.RetryAfter, _time.GetUtcNow());
                answer = await response.Content.ReadAsStringAsync(attempt.Token);
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested)
            {
                // A bare cancellation: what Refit wraps it in carries the signed request.
                throw new OperationCanceledException("The caller cancelled the refresh.", ex is ApiRequestException ? null : ex, cancellationToken);
            }
            catch (Exception ex) when (ShopeeErrorClassifier.Classify(platform, ex, cancellationToken) is { } failure)
            {
                throw failure;
            }

            AccessTokenResponse tokens;
            try
            {
                tokens = ShopeeResponseReader.ReadAccessToken(platform, status, retryAfter, answer, [target.Options.PartnerKey, refreshToken]);
            }
            catch (PlatformException e) when (e.Kind == PlatformErrorKind.TokenExpired)
            {
                // No access token was sent: whatever the wording, the platform refused this shop's authorisation.
                throw new PlatformException(platform, PlatformErrorKind.Permanent, e.Code, e.Detail, e.RetryAfter);
            }

            var now = _time.GetUtcNow();
            return new RefreshedTokens(tokens.AccessToken, now.AddSeconds(tokens.ExpireIn), tokens.RefreshToken, now + RefreshTokenLife);
        }
    }

    private sealed record Target(PlatformOptions Options, IShopeeApi Api, CallWindow Window);
}
