using Backfill.Core.Jobs;
using Backfill.Core.Shops;
using Backfill.Scheduling.Alerts;
using Backfill.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Scheduling.Shops;

/// <summary>
/// The scheduler's shops as data: seeded from <c>Platforms:{name}:Shops:{id}</c> at start (<see cref="ShopSeed"/>), then
/// changed by operators — add (a refresh token, and an access token if they have one), enable, disable, remove — each
/// change logged with who made it, never with a token. Tokens are stored sealed under <c>Backfill:SecretKey</c>; without
/// the key the registry keeps states only, and adding a shop is refused saying which setting to set.
/// </summary>
public sealed partial class ShopRegistry(
    ShopStore store,
    JobStore jobs,
    AccessTokenAnnouncer announcer,
    ShopTokenSeal seal,
    IConfiguration configuration,
    TimeProvider time,
    ILogger<ShopRegistry> logger,
    ITokenRefreshRequests? refresher = null,
    IAlerts? alerts = null) : IHostedService
{
    /// <summary>What to do when tokens cannot be stored.</summary>
    public const string SetSecretKey = "set Backfill:SecretKey (32 random bytes, base64, e.g. from 'openssl rand -base64 32'; the same on serve and every worker) and restart them";

    /// <summary>True when tokens can be stored: <c>Backfill:SecretKey</c> is set.</summary>
    public bool HoldsTokens => seal.IsEnabled;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Seed();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Every registered shop, or those of <paramref name="platform"/>, by platform then shop id.</summary>
    public IReadOnlyList<ShopRecord> All(string? platform = null) => store.All(platform);

    /// <summary>The warnings of an unfinished job's shops (<see cref="ShopWarnings.ForJob"/>), from one read of the registry.</summary>
    public Func<JobRecord, IReadOnlyList<string>?> JobWarnings()
    {
        var shops = store.All().ToDictionary(s => s.Id, StringComparer.Ordinal);
        var now = time.GetUtcNow();
        return job => ShopWarnings.ForJob(job, shops, now);
    }

    /// <exception cref="ShopNotFoundException">No such shop.</exception>
    public ShopRecord Get(string platform, string shop) => store.Find(platform, shop) ?? throw new ShopNotFoundException(platform, shop);

    /// <summary>
    /// Brings each configured shop into the registry (<see cref="ShopSeed.Decide"/>): a new one is made active from its
    /// configured tokens; a changed seed is taken only while the registry still holds the old one; a token the registry
    /// has moved on to (rotated by a refresh, brought through the API) is never overwritten.
    /// </summary>
    public void Seed()
    {
        var now = time.GetUtcNow();
        var unsealed = 0;
        foreach (var platform in configuration.GetSection("Platforms").GetChildren())
        {
            foreach (var section in platform.GetSection("Shops").GetChildren())
            {
                var (p, shop) = (platform.Key, section.Key);
                var access = Given(section["AccessToken"]);
                var refresh = Given(section["RefreshToken"]);
                if (access is null && refresh is null)
                {
                    continue;
                }

                unsealed += !seal.IsEnabled && refresh is not null ? 1 : 0;
                var fingerprint = ShopSeed.Fingerprint(seal, p, shop, access, refresh);
                var action = SeedAction.Keep;
                var differs = false;
                var reactivated = false;
                store.Update(p, shop, existing =>
                {
                    action = ShopSeed.Decide(existing, fingerprint);
                    differs = fingerprint is not null && existing?.SeedFingerprint is { } before && before != fingerprint;
                    if (action == SeedAction.Keep)
                    {
                        return null;
                    }

                    var record = existing ?? new ShopRecord { Id = ShopRecord.MakeId(p, shop), Platform = p, Shop = shop, State = ShopState.Active, Origin = ShopOrigins.Configuration };
                    record.AccessToken = access is null || !seal.IsEnabled ? null : seal.SealAccess(p, shop, 0, access);
                    record.RefreshToken = refresh is null || !seal.IsEnabled ? null : seal.SealRefresh(p, shop, refresh);
                    record.AccessExpiresAt = null;
                    record.RefreshExpiresAt = null;
                    record.SeedFingerprint = fingerprint;
                    record.LastRefreshFailed = false;

                    // A new seed is a new authorization: the refusal of the old refresh token no longer stands.
                    reactivated = record.State == ShopState.NeedsAuthorization;
                    record.State = reactivated ? ShopState.Active : record.State;
                    record.UpdatedAt = now;
                    return record;
                });
                var tokens = Tokens(access is not null, refresh is not null);
                switch (action)
                {
                    case SeedAction.Create:
                        Log.Seeded(logger, p, shop, tokens);
                        break;
                    case SeedAction.TakeSeed:
                        Log.SeedTaken(logger, p, shop, tokens, reactivated ? "; active again" : "");
                        break;
                    case SeedAction.Keep when differs:
                        Log.SeedKept(logger, p, shop);
                        break;
                }
            }
        }

        if (unsealed > 0)
        {
            Log.RefreshTokensWithoutKey(logger, unsealed);
        }
    }

    /// <summary>
    /// Registers a shop, or gives a registered one new tokens (its seller authorised the app again): the refresh token,
    /// and the access token when there is one, stored sealed; then the access token is announced to the workers, or,
    /// without one, the refresher is asked for one at once. A shop that needed authorization is active again; a disabled
    /// one stays disabled.
    /// </summary>
    /// <returns>The shop as stored, and whether it is new to the registry.</returns>
    /// <exception cref="ShopCommandRefusedException">No <c>Backfill:SecretKey</c>: tokens cannot be stored.</exception>
    /// <exception cref="ArgumentException">Not a shop id, or an empty token.</exception>
    public async Task<(ShopRecord Shop, bool Created)> AddAsync(string platform, string shop, string refreshToken, string? accessToken, string? name, string by, CancellationToken cancellationToken)
    {
        if (!seal.IsEnabled)
        {
            Log.Refused(logger, platform, shop, "add", by, "Backfill:SecretKey is not set");
            throw new ShopCommandRefusedException($"Shop tokens cannot be stored: this scheduler has no Backfill:SecretKey; {SetSecretKey}.");
        }

        if (ShopRules.ShopIdProblem(configuration[$"Platforms:{platform}:Kind"], shop) is { } problem)
        {
            throw new ArgumentException(problem, nameof(shop));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(refreshToken);
        var now = time.GetUtcNow();
        var created = false;
        var was = ShopState.Active;
        var record = store.Update(platform, shop, existing =>
        {
            created = existing is null;
            var r = existing ?? new ShopRecord { Id = ShopRecord.MakeId(platform, shop), Platform = platform, Shop = shop, State = ShopState.Active };
            was = r.State;
            r.Origin = ShopOrigins.Api;
            r.Name = string.IsNullOrWhiteSpace(name) ? r.Name : name.Trim();
            r.RefreshToken = seal.SealRefresh(platform, shop, refreshToken);
            r.RefreshExpiresAt = null;
            if (!string.IsNullOrEmpty(accessToken))
            {
                r.TokenVersion++;
                r.AccessToken = seal.SealAccess(platform, shop, r.TokenVersion, accessToken);
                r.AccessExpiresAt = null;
            }

            r.State = r.State == ShopState.NeedsAuthorization ? ShopState.Active : r.State;
            r.LastRefreshFailed = false;
            r.UpdatedAt = now;
            return r;
        })!;

        var access = string.IsNullOrEmpty(accessToken) ? "no access token: a refresh is asked for" : $"access token version {record.TokenVersion}";
        Log.Added(logger, record.Platform, shop, created ? "added" : "given new tokens", by, access, ShopRules.StateName(record.State), was == record.State ? "" : $" (was {ShopRules.StateName(was)})");
        if (string.IsNullOrEmpty(accessToken))
        {
            refresher?.RequestRefresh(record.Platform, shop, null);
        }
        else
        {
            await announcer.AnnounceAsync(record, $"shop tokens {(created ? "added" : "replaced")} by {by}", cancellationToken);
        }

        return (record, created);
    }

    /// <summary>Lets jobs of the shop be made again, and its tokens be refreshed.</summary>
    /// <exception cref="ShopNotFoundException">No such shop.</exception>
    /// <exception cref="ShopCommandRefusedException">It needs authorization: only a new refresh token helps.</exception>
    public ShopRecord Enable(string platform, string shop, string by) => Change(platform, shop, "enable", by, r =>
    {
        if (ShopRules.EnableRefusal(r) is { } why)
        {
            throw new ShopCommandRefusedException(why);
        }

        if (r.State == ShopState.Active)
        {
            return false;
        }

        Log.Enabled(logger, r.Platform, shop, by, ShopRules.StateName(r.State));
        r.State = ShopState.Active;
        return true;
    });

    /// <summary>No new job of the shop, no refresh of its tokens; they are kept. Jobs already running go on.</summary>
    /// <exception cref="ShopNotFoundException">No such shop.</exception>
    public ShopRecord Disable(string platform, string shop, string by) => Change(platform, shop, "disable", by, r =>
    {
        if (r.State == ShopState.Disabled)
        {
            return false;
        }

        var running = jobs.ActiveJobs().Where(j => string.Equals(j.Platform, platform, StringComparison.OrdinalIgnoreCase) && j.Shops.Contains(shop, StringComparer.Ordinal)).Select(j => j.Id).ToList();
        Log.Disabled(logger, r.Platform, shop, by, ShopRules.StateName(r.State),
            running.Count == 0 ? "" : $"; its jobs {string.Join(", ", running)} go on until its access token lapses (pause or cancel them to stop them now)");
        r.State = ShopState.Disabled;
        return true;
    });

    /// <summary>Deletes the shop and its tokens from the registry.</summary>
    /// <returns>True when the shop is still configured under <c>Platforms:</c>: it stays known, and comes back at the next start.</returns>
    /// <exception cref="ShopNotFoundException">No such shop.</exception>
    /// <exception cref="ShopCommandRefusedException">A running or paused job of the shop exists; the message names it.</exception>
    public bool Remove(string platform, string shop, string by)
    {
        var record = Get(platform, shop);
        if (ShopRules.RemoveRefusal(record.Platform, shop, jobs.ActiveJobs()) is { } why)
        {
            Log.Refused(logger, record.Platform, shop, "remove", by, why);
            throw new ShopCommandRefusedException(why);
        }

        store.Delete(platform, shop);
        var configured = configuration.GetSection($"Platforms:{platform}:Shops:{shop}").Exists();
        Log.Removed(logger, record.Platform, shop, by, configured ? $"; it is still configured under Platforms:{record.Platform}:Shops:{shop}, so jobs may name it and the next start registers it again: remove it there too" : "");
        return configured;
    }

    /// <summary>
    /// The platform refused the shop's refresh token: it needs authorization (unless an operator disabled it), which is
    /// logged as a warning and raised as an alert once, when it begins. For the refresher.
    /// </summary>
    public void RefreshRefused(string platform, string shop, string outcome)
    {
        var now = time.GetUtcNow();
        var entered = false;
        store.Update(platform, shop, r =>
        {
            if (r is null)
            {
                return null;
            }

            entered = r.State == ShopState.Active;
            r.State = entered ? ShopState.NeedsAuthorization : r.State;
            r.LastRefreshAt = now;
            r.LastRefreshOutcome = outcome;
            r.LastRefreshFailed = true;
            r.UpdatedAt = now;
            return r;
        });
        if (entered)
        {
            Log.NeedsAuthorization(logger, platform, shop, outcome, ShopRules.AddCommand(platform, shop));
            alerts?.Raise(Alert.NeedsAuthorization(platform, shop, outcome, ShopRules.AddCommand(platform, shop), now));
        }
    }

    private ShopRecord Change(string platform, string shop, string command, string by, Func<ShopRecord, bool> change)
    {
        ShopRecord? current = null;
        try
        {
            store.Update(platform, shop, r =>
            {
                current = r ?? throw new ShopNotFoundException(platform, shop);
                if (!change(r))
                {
                    return null;
                }

                r.UpdatedAt = time.GetUtcNow();
                return r;
            });
        }
        catch (ShopCommandRefusedException e)
        {
            Log.Refused(logger, platform, shop, command, by, e.Message);
            throw;
        }

        return current!;
    }

    private string Tokens(bool access, bool refresh)
    {
        var which = string.Join(" and ", new[] { access ? "access token" : null, refresh ? "refresh token" : null }.OfType<string>());
        return !seal.IsEnabled ? $"no token stored ({which} configured; Backfill:SecretKey is not set)" : $"{which} stored sealed";
    }

    private static string? Given(string? token) => string.IsNullOrWhiteSpace(token) ? null : token;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Shop {Platform}/{Shop}: registered from configuration, active; {Tokens}")]
        public static partial void Seeded(ILogger logger, string platform, string shop, string tokens);

        [LoggerMessage(2, LogLevel.Information, "Shop {Platform}/{Shop}: the configuration's tokens changed and the registry still held the old ones: took the new ones ({Tokens}){Reactivated}")]
        public static partial void SeedTaken(ILogger logger, string platform, string shop, string tokens, string reactivated);

        [LoggerMessage(3, LogLevel.Information, "Shop {Platform}/{Shop}: the configuration's tokens differ from the registry's, which has moved on from them (rotated by a refresh, or brought through the API): the registry's are kept")]
        public static partial void SeedKept(ILogger logger, string platform, string shop);

        [LoggerMessage(4, LogLevel.Warning, "Refresh tokens of {Count} configured shop(s) are neither stored nor used: Backfill:SecretKey is not set, so nothing is refreshed and those shops' access tokens lapse; " + SetSecretKey)]
        public static partial void RefreshTokensWithoutKey(ILogger logger, int count);

        [LoggerMessage(5, LogLevel.Information, "Shop {Platform}/{Shop}: {What} by {By}: refresh token stored sealed, {Access}; {State}{Was}")]
        public static partial void Added(ILogger logger, string platform, string shop, string what, string by, string access, string state, string was);

        [LoggerMessage(6, LogLevel.Information, "Shop {Platform}/{Shop}: enabled by {By} (was {Was}): jobs may name it again and its tokens are refreshed")]
        public static partial void Enabled(ILogger logger, string platform, string shop, string by, string was);

        [LoggerMessage(7, LogLevel.Warning, "Shop {Platform}/{Shop}: disabled by {By} (was {Was}): no new job of it and no refresh of its tokens{Jobs}")]
        public static partial void Disabled(ILogger logger, string platform, string shop, string by, string was, string jobs);

        [LoggerMessage(8, LogLevel.Warning, "Shop {Platform}/{Shop}: removed from the registry by {By}, with its tokens{Configured}")]
        public static partial void Removed(ILogger logger, string platform, string shop, string by, string configured);

        [LoggerMessage(9, LogLevel.Information, "Shop {Platform}/{Shop}: {Command} by {By} refused: {Reason}")]
        public static partial void Refused(ILogger logger, string platform, string shop, string command, string by, string reason);

        [LoggerMessage(10, LogLevel.Warning, "Shop {Platform}/{Shop} needs authorization: the platform refused its refresh token ({Outcome}). No job of it can be made and its workers' calls fail once its access token lapses, until its seller authorises the app again and the new refresh token is brought with '{Command}'")]
        public static partial void NeedsAuthorization(ILogger logger, string platform, string shop, string outcome, string command);
    }
}
