using Backfill.Core.Secrets;
using Backfill.Core.Shops;
using Backfill.Platforms;
using Backfill.Platforms.Tokens;
using Backfill.Scheduling.Alerts;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Scheduling.Shops;

/// <summary>
/// The fleet's one refresher of shop tokens (docs/decisions.md, "Shop tokens"). A shop is refreshed when
/// <see cref="RefreshRule"/> says so — ahead of expiry, or at once when a worker saw its current token refused — one shop
/// at a time. Order: the platform's call, then the new refresh and access tokens sealed and stored in LiteDB in one
/// transaction (on disk when it returns, with no await in between: a crash after the platform answered and before this is
/// the one moment that can lose the rotated refresh token), only then the access token announced, sealed, on the control
/// topic (acknowledged), where every worker takes it. A refused refresh puts the shop in needs-authorization; one not
/// answered is tried again with a back-off. Without <c>Backfill:SecretKey</c> nothing is refreshed, said once at start.
/// Each pass over the shops raises on <paramref name="alerts"/> the tokens that lapse soon unrenewed
/// (<see cref="ShopWarnings.Expiring"/>); the alerts tell each expiry once.
/// </summary>
public sealed partial class TokenRefresher(
    ShopStore store,
    ShopRegistry registry,
    TokenRefreshQueue requests,
    ITokenRefresh platforms,
    ShopTokenSeal seal,
    AccessTokenAnnouncer announcer,
    PlatformBoard board,
    TokenRefreshCounters counters,
    TimeProvider time,
    ILogger<TokenRefresher> logger,
    IAlerts? alerts = null) : BackgroundService
{
    /// <summary>The longest the refresher sleeps: a shop registered meanwhile without a request is seen within it.</summary>
    internal static readonly TimeSpan LongestSleep = TimeSpan.FromMinutes(1);

    /// <summary>How soon an announcement Kafka refused is sent again.</summary>
    internal static readonly TimeSpan AnnounceRetry = TimeSpan.FromSeconds(1);

    // The loop's own state: shops to refresh at once, back-offs after failures, tokens stored and not yet announced.
    private readonly HashSet<string> _forced = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Failures, DateTimeOffset NotBefore)> _backoff = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unannounced = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!seal.IsEnabled)
        {
            // The registry says at start what that means for shops configured with refresh tokens.
            return;
        }

        foreach (var shop in store.All().Where(s => s is { TokenVersion: > 0, AccessToken: not null } && IsOurs(s)))
        {
            // A token stored by a predecessor that died before announcing it: workers take only a newer version, so this is safe.
            _unannounced.Add(shop.Id);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            TakeRequests();
            await AnnounceAsync(stoppingToken);
            var next = time.GetUtcNow() + LongestSleep;
            foreach (var shop in store.All().Where(IsOurs))
            {
                RaiseExpiring(shop);

                if (When(shop) is not { } due)
                {
                    continue;
                }

                if (due <= time.GetUtcNow())
                {
                    await RefreshAsync(shop, stoppingToken);
                    next = time.GetUtcNow();
                }
                else if (due < next)
                {
                    next = due;
                }
            }

            var wait = next - time.GetUtcNow();
            if (_unannounced.Count > 0 && wait > AnnounceRetry)
            {
                wait = AnnounceRetry;
            }

            await SleepAsync(wait, stoppingToken);
        }
    }

    /// <summary>When the shop is to be refreshed, its back-off and the platform's cool-off taken into account; null: never.</summary>
    private DateTimeOffset? When(ShopRecord shop)
    {
        if (RefreshRule.DueAt(shop) is not { } due)
        {
            _forced.Remove(shop.Id);
            return null;
        }

        if (_forced.Contains(shop.Id))
        {
            due = DateTimeOffset.MinValue;
        }

        if (_backoff.TryGetValue(shop.Id, out var backoff) && backoff.NotBefore > due)
        {
            due = backoff.NotBefore;
        }

        return board.CoolingOffUntil(shop.Platform) is { } coolOff && coolOff > due ? coolOff : due;
    }

    private async Task RefreshAsync(ShopRecord shop, CancellationToken cancellationToken)
    {
        string refreshToken;
        try
        {
            refreshToken = seal.OpenRefresh(shop.Platform, shop.Shop, shop.RefreshToken!);
        }
        catch (SecretBoxException e)
        {
            Failed(shop, e.Message, retryAfter: null);
            return;
        }

        RefreshedTokens fresh;
        try
        {
            fresh = await platforms.RefreshAsync(shop.Platform, shop.Shop, refreshToken, cancellationToken);
        }
        catch (PlatformException e) when (e.Kind == PlatformErrorKind.Permanent)
        {
            Refused(shop, e.Message);
            return;
        }
        catch (PlatformException e)
        {
            Failed(shop, e.Message, e.RetryAfter);
            return;
        }

        // Nothing awaited from the platform's answer until the rotated refresh token is on disk.
        var now = time.GetUtcNow();
        var stored = store.Update(shop.Platform, shop.Shop, r =>
        {
            if (r is null)
            {
                return null;
            }

            var version = r.TokenVersion + 1;
            r.AccessToken = seal.SealAccess(r.Platform, r.Shop, version, fresh.AccessToken);
            r.AccessExpiresAt = fresh.AccessExpiresAt;
            r.RefreshToken = seal.SealRefresh(r.Platform, r.Shop, fresh.RefreshToken);
            r.RefreshExpiresAt = fresh.RefreshExpiresAt;
            r.TokenVersion = version;
            r.LastRefreshAt = now;
            r.LastRefreshOutcome = "ok";
            r.LastRefreshFailed = false;
            r.UpdatedAt = now;
            return r;
        });
        _forced.Remove(shop.Id);
        _backoff.Remove(shop.Id);
        if (stored is null)
        {
            Log.RemovedMeanwhile(logger, shop.Platform, shop.Shop);
            return;
        }

        counters.Succeeded();
        _unannounced.Add(stored.Id);
        Log.Refreshed(logger, stored.Platform, stored.Shop, stored.TokenVersion, fresh.AccessExpiresAt);
        await AnnounceAsync(cancellationToken);
    }

    private void Refused(ShopRecord shop, string why)
    {
        registry.RefreshRefused(shop.Platform, shop.Shop, why);
        _forced.Remove(shop.Id);
        _backoff.Remove(shop.Id);
        counters.WasRefused();
    }

    private void Failed(ShopRecord shop, string why, TimeSpan? retryAfter)
    {
        var now = time.GetUtcNow();
        var failures = _backoff.TryGetValue(shop.Id, out var known) ? known.Failures + 1 : 1;
        var wait = RefreshRule.Backoff(failures, retryAfter);
        _backoff[shop.Id] = (failures, now + wait);
        store.Update(shop.Platform, shop.Shop, r =>
        {
            if (r is null)
            {
                return null;
            }

            r.LastRefreshOutcome = why;
            r.LastRefreshFailed = true;
            r.UpdatedAt = now;
            return r;
        });
        counters.HasFailed();
        Log.Failed(logger, shop.Platform, shop.Shop, failures, why, (long)wait.TotalMilliseconds);
    }

    /// <summary>Announces every stored token not yet acknowledged by Kafka, read from the store: its newest version.</summary>
    private async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _unannounced.ToList())
        {
            var (platform, shop) = Split(id);
            if (store.Find(platform, shop) is not { TokenVersion: > 0, AccessToken: not null } record)
            {
                _unannounced.Remove(id);
                continue;
            }

            try
            {
                await announcer.AnnounceAsync(record, "refreshed by the scheduler", cancellationToken);
                _unannounced.Remove(id);
                Log.Announced(logger, record.Platform, record.Shop, record.TokenVersion);
            }
            catch (KafkaException e)
            {
                Log.AnnounceFailed(logger, record.Platform, record.Shop, record.TokenVersion, e.Error.Reason, AnnounceRetry.TotalSeconds);
            }
        }
    }

    private void TakeRequests()
    {
        while (requests.Reader.TryRead(out var request))
        {
            if (store.Find(request.Platform, request.Shop) is { } shop && IsOurs(shop) && RefreshRule.AnswersRefusal(shop, request.Version) && RefreshRule.DueAt(shop) is not null)
            {
                _forced.Add(shop.Id);
                Log.Requested(logger, shop.Platform, shop.Shop, request.Version);
            }
        }
    }

    private async Task SleepAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await requests.Reader.WaitToReadAsync(cancellationToken).AsTask().WaitAsync(wait, time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private void RaiseExpiring(ShopRecord shop)
    {
        if (alerts is null)
        {
            return;
        }

        var now = time.GetUtcNow();
        foreach (var (token, expires, why) in ShopWarnings.Expiring(shop, now))
        {
            alerts.Raise(Alert.TokenExpiring(shop.Platform, shop.Shop, token, expires, why, now));
        }
    }

    private bool IsOurs(ShopRecord shop) => platforms.Platforms.Contains(shop.Platform, StringComparer.OrdinalIgnoreCase);

    private static (string Platform, string Shop) Split(string id)
    {
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        return (id[..colon], id[(colon + 1)..]);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Shop {Shop} of {Platform}: new tokens (access token version {Version}, expires {ExpiresAt:O}) stored; announcing it to the workers")]
        public static partial void Refreshed(ILogger logger, string platform, string shop, long version, DateTimeOffset expiresAt);

        [LoggerMessage(2, LogLevel.Information, "Shop {Shop} of {Platform}: access token version {Version} announced on the control topic")]
        public static partial void Announced(ILogger logger, string platform, string shop, long version);

        [LoggerMessage(3, LogLevel.Error, "Shop {Shop} of {Platform}: access token version {Version} is stored but could not be announced ({Reason}); trying again in {Seconds} s")]
        public static partial void AnnounceFailed(ILogger logger, string platform, string shop, long version, string reason, double seconds);


        [LoggerMessage(5, LogLevel.Warning, "Shop {Shop} of {Platform}: refresh {Failures} in a row failed ({Why}); trying again in {WaitMs} ms")]
        public static partial void Failed(ILogger logger, string platform, string shop, int failures, string why, long waitMs);

        [LoggerMessage(6, LogLevel.Information, "Shop {Shop} of {Platform}: a worker saw token version {Version} refused as expired; refreshing now")]
        public static partial void Requested(ILogger logger, string platform, string shop, long? version);

        [LoggerMessage(7, LogLevel.Warning, "Shop {Shop} of {Platform} was removed while its tokens were refreshed; the new tokens are dropped")]
        public static partial void RemovedMeanwhile(ILogger logger, string platform, string shop);


    }
}
