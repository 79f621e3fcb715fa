using System.Threading.Channels;
using Backfill.Core.Secrets;
using Backfill.Core.Shops;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Tokens;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Scheduling.Shops;

/// <summary>
/// The fleet's one refresher of shop tokens (docs/decisions.md, "Shop tokens"). A shop is refreshed when
/// <see cref="RefreshRule"/> says so — ahead of expiry, or at once when a worker saw its current token refused — one shop
/// at a time. Order: the platform's call, then the new refresh and access tokens sealed and stored in LiteDB in one
/// transaction (on disk when it returns, with no await in between: a crash after the platform answered and before this is
/// the one moment that can lose the rotated refresh token), only then the access token announced, sealed, on the control
/// topic (acknowledged), where every worker takes it. A refused refresh puts the shop in needs-authorization; one not
/// answered is tried again with a back-off. Without <c>Backfill:SecretKey</c> nothing is refreshed, said once at start.
/// </summary>
public sealed partial class TokenRefresher(
    ShopStore store,
    ITokenRefresh platforms,
    ShopTokenSeal seal,
    IProducer<string, byte[]> producer,
    KafkaConnection connection,
    PlatformBoard board,
    TokenRefreshCounters counters,
    IOptionsMonitor<PlatformOptions> options,
    TimeProvider time,
    ILogger<TokenRefresher> logger) : BackgroundService, ITokenRefreshRequests
{
    /// <summary>The longest the refresher sleeps: a shop registered meanwhile without a request is seen within it.</summary>
    internal static readonly TimeSpan LongestSleep = TimeSpan.FromMinutes(1);

    /// <summary>How soon an announcement Kafka refused is sent again.</summary>
    internal static readonly TimeSpan AnnounceRetry = TimeSpan.FromSeconds(1);

    private readonly Channel<(string Platform, string Shop, long? Version)> _requests = Channel.CreateUnbounded<(string, string, long?)>(new UnboundedChannelOptions { SingleReader = true });

    // The loop's own state: shops to refresh at once, back-offs after failures, tokens stored and not yet announced.
    private readonly HashSet<string> _forced = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Failures, DateTimeOffset NotBefore)> _backoff = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unannounced = new(StringComparer.Ordinal);

    public void RequestRefresh(string platform, string shop, long? refusedVersion) => _requests.Writer.TryWrite((platform, shop, refusedVersion));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!seal.IsEnabled)
        {
            SayNoKey();
            return;
        }

        SeedFromConfiguration();
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
        var now = time.GetUtcNow();
        store.Update(shop.Platform, shop.Shop, r =>
        {
            r.State = ShopState.NeedsAuthorization;
            r.LastRefreshOutcome = why;
            r.LastRefreshFailed = true;
            r.UpdatedAt = now;
        });
        _forced.Remove(shop.Id);
        _backoff.Remove(shop.Id);
        counters.WasRefused();
        Log.Refused(logger, shop.Platform, shop.Shop, why);
    }

    private void Failed(ShopRecord shop, string why, TimeSpan? retryAfter)
    {
        var now = time.GetUtcNow();
        var failures = _backoff.TryGetValue(shop.Id, out var known) ? known.Failures + 1 : 1;
        var wait = RefreshRule.Backoff(failures, retryAfter);
        _backoff[shop.Id] = (failures, now + wait);
        store.Update(shop.Platform, shop.Shop, r =>
        {
            r.LastRefreshOutcome = why;
            r.LastRefreshFailed = true;
            r.UpdatedAt = now;
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
            if (store.Find(platform, shop) is not { TokenVersion: > 0, AccessToken: { } sealedToken } record)
            {
                _unannounced.Remove(id);
                continue;
            }

            var message = ControlMessage.Token(record.Platform, record.Shop, record.TokenVersion, Convert.ToBase64String(sealedToken), record.AccessExpiresAt ?? time.GetUtcNow(), "refreshed by the scheduler");
            try
            {
                await producer.ProduceAsync(connection.Topics.Control, new Message<string, byte[]> { Key = message.Key, Value = MessageCodec.Encode(message) }, cancellationToken);
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
        while (_requests.Reader.TryRead(out var request))
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
            await _requests.Reader.WaitToReadAsync(cancellationToken).AsTask().WaitAsync(wait, time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private bool IsOurs(ShopRecord shop) => platforms.Platforms.Contains(shop.Platform, StringComparer.OrdinalIgnoreCase);

    private static (string Platform, string Shop) Split(string id)
    {
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        return (id[..colon], id[(colon + 1)..]);
    }

    /// <summary>
    /// Shops of the configuration with a refresh token and no registry entry yet, registered as configured (the rotated
    /// tokens then live in the registry; configuration never overwrites them).
    /// </summary>
    private void SeedFromConfiguration()
    {
        foreach (var platform in platforms.Platforms)
        {
            foreach (var (shop, configured) in options.Get(platform).Shops)
            {
                if (string.IsNullOrEmpty(configured.RefreshToken) || store.Find(platform, shop) is not null)
                {
                    continue;
                }

                var now = time.GetUtcNow();
                store.Save(new ShopRecord
                {
                    Id = ShopRecord.MakeId(platform, shop),
                    Platform = platform,
                    Shop = shop,
                    State = ShopState.Active,
                    Origin = ShopOrigins.Configuration,
                    AccessToken = string.IsNullOrEmpty(configured.AccessToken) ? null : seal.SealAccess(platform, shop, 0, configured.AccessToken),
                    RefreshToken = seal.SealRefresh(platform, shop, configured.RefreshToken),
                    UpdatedAt = now,
                });
            }
        }
    }

    private void SayNoKey()
    {
        var withRefreshTokens = platforms.Platforms.Sum(p => options.Get(p).Shops.Values.Count(s => !string.IsNullOrEmpty(s.RefreshToken)));
        if (withRefreshTokens > 0)
        {
            Log.RefreshTokensWithoutKey(logger, withRefreshTokens, SecretBox.ConfigurationKey);
        }
        else
        {
            Log.NoKey(logger, SecretBox.ConfigurationKey);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Shop {Shop} of {Platform}: new tokens (access token version {Version}, expires {ExpiresAt:O}) stored; announcing it to the workers")]
        public static partial void Refreshed(ILogger logger, string platform, string shop, long version, DateTimeOffset expiresAt);

        [LoggerMessage(2, LogLevel.Information, "Shop {Shop} of {Platform}: access token version {Version} announced on the control topic")]
        public static partial void Announced(ILogger logger, string platform, string shop, long version);

        [LoggerMessage(3, LogLevel.Error, "Shop {Shop} of {Platform}: access token version {Version} is stored but could not be announced ({Reason}); trying again in {Seconds} s")]
        public static partial void AnnounceFailed(ILogger logger, string platform, string shop, long version, string reason, double seconds);

        [LoggerMessage(4, LogLevel.Warning, "Shop {Shop} of {Platform}: the platform refused its refresh token ({Why}); the shop needs authorization: its seller must authorise the app again and give it a new refresh token")]
        public static partial void Refused(ILogger logger, string platform, string shop, string why);

        [LoggerMessage(5, LogLevel.Warning, "Shop {Shop} of {Platform}: refresh {Failures} in a row failed ({Why}); trying again in {WaitMs} ms")]
        public static partial void Failed(ILogger logger, string platform, string shop, int failures, string why, long waitMs);

        [LoggerMessage(6, LogLevel.Information, "Shop {Shop} of {Platform}: a worker saw token version {Version} refused as expired; refreshing now")]
        public static partial void Requested(ILogger logger, string platform, string shop, long? version);

        [LoggerMessage(7, LogLevel.Warning, "Shop {Shop} of {Platform} was removed while its tokens were refreshed; the new tokens are dropped")]
        public static partial void RemovedMeanwhile(ILogger logger, string platform, string shop);

        [LoggerMessage(8, LogLevel.Warning, "{Count} shop(s) have a refresh token configured, but {Key} is not set: no token is refreshed, stored or announced, and access tokens expire (set it to 32 random bytes, base64, the same in every process)")]
        public static partial void RefreshTokensWithoutKey(ILogger logger, int count, string key);

        [LoggerMessage(9, LogLevel.Information, "{Key} is not set: shops sign with their configured access tokens, which are never refreshed")]
        public static partial void NoKey(ILogger logger, string key);
    }
}
