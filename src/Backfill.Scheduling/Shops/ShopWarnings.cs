using System.Globalization;
using Backfill.Core.Jobs;
using Backfill.Core.Shops;

namespace Backfill.Scheduling.Shops;

/// <summary>
/// What an operator should hear about a shop before it bites: it needs authorization, its last refresh failed, its
/// refresh token lapses within <see cref="RefreshTokenWarning"/>, or its access token is past the point where a refresh
/// should have replaced it. <c>doctor</c>, the shops API and a job's status say the same words. Pure.
/// </summary>
public static class ShopWarnings
{
    /// <summary>A refresh token with less life left than this is a warning: refreshes renew it, so they have stopped.</summary>
    public static readonly TimeSpan RefreshTokenWarning = TimeSpan.FromDays(7);

    /// <summary>
    /// The share of an access token's life left under which it is a warning. The refresher replaces a token when a quarter
    /// of its life is left; at an eighth, refreshes are failing or not happening.
    /// </summary>
    public const double AccessLifeLeftWarning = 1.0 / 8;

    public static IReadOnlyList<string> Of(ShopRecord shop, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(shop);
        var warnings = new List<string>();
        var last = string.Join(", ", new[] { shop.LastRefreshOutcome, shop.LastRefreshAt is { } at ? Time(at) : null }.Where(p => !string.IsNullOrEmpty(p)));
        if (shop.State == ShopState.NeedsAuthorization)
        {
            warnings.Add($"needs authorization: the platform refused its refresh token{(last.Length > 0 ? $" ({last})" : "")}; the seller must authorise the app again, then bring the new refresh token with '{ShopRules.AddCommand(shop.Platform, shop.Shop)}'");
            return warnings;
        }

        if (shop.LastRefreshFailed)
        {
            warnings.Add($"the last refresh failed{(last.Length > 0 ? $" ({last})" : "")}; it is tried again");
        }

        if (shop.RefreshExpiresAt is { } refreshEnds && refreshEnds - now < RefreshTokenWarning)
        {
            warnings.Add(refreshEnds <= now
                ? $"the refresh token lapsed at {Time(refreshEnds)}: the seller must authorise the app again, then bring the new refresh token with '{ShopRules.AddCommand(shop.Platform, shop.Shop)}'"
                : $"the refresh token lapses in {Span(refreshEnds - now)} ({Time(refreshEnds)}): a refresh renews it; if none succeeds before, the seller must authorise the app again");
        }

        if (shop.State == ShopState.Active && shop.AccessExpiresAt is { } accessEnds)
        {
            if (accessEnds <= now)
            {
                warnings.Add($"the access token expired at {Time(accessEnds)}; workers wait for a refreshed one");
            }
            else if (shop.LastRefreshAt is { } bought && accessEnds > bought && (accessEnds - now) < (accessEnds - bought) * AccessLifeLeftWarning)
            {
                warnings.Add($"the access token lapses in {Span(accessEnds - now)} ({Time(accessEnds)}) and no refresh has replaced it yet");
            }
        }

        return warnings;
    }

    /// <summary>
    /// The shop's tokens that lapse soon and that nothing has renewed, as <see cref="Of"/> words them: a refresh token
    /// within <see cref="RefreshTokenWarning"/>, an access token of an active shop under <see cref="AccessLifeLeftWarning"/>
    /// of its life. Not a lapsed one, nor any of a shop that needs authorization: that is told as such.
    /// </summary>
    public static IReadOnlyList<(string Token, DateTimeOffset ExpiresAt, string Why)> Expiring(ShopRecord shop, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(shop);
        var expiring = new List<(string, DateTimeOffset, string)>();
        if (shop.State == ShopState.NeedsAuthorization)
        {
            return expiring;
        }

        if (shop.RefreshExpiresAt is { } refreshEnds && refreshEnds > now && refreshEnds - now < RefreshTokenWarning)
        {
            expiring.Add(("refresh", refreshEnds, $"it lapses in {Span(refreshEnds - now)}: a refresh renews it; if none succeeds before, the seller must authorise the app again"));
        }

        if (shop.State == ShopState.Active && shop.AccessExpiresAt is { } accessEnds && accessEnds > now
            && shop.LastRefreshAt is { } bought && accessEnds > bought && (accessEnds - now) < (accessEnds - bought) * AccessLifeLeftWarning)
        {
            var last = shop.LastRefreshFailed && !string.IsNullOrEmpty(shop.LastRefreshOutcome) ? $" (the last refresh failed: {shop.LastRefreshOutcome})" : "";
            expiring.Add(("access", accessEnds, $"it lapses in {Span(accessEnds - now)} and no refresh has replaced it yet{last}"));
        }

        return expiring;
    }

    /// <summary>
    /// The warnings of an unfinished job's shops, each prefixed with its shop, a disabled shop included (its tokens are
    /// not refreshed); null when there is none or the job is finished.
    /// </summary>
    /// <param name="shops">The registry, by <see cref="ShopRecord.Id"/>; a shop not in it has nothing to say.</param>
    public static IReadOnlyList<string>? ForJob(JobRecord job, IReadOnlyDictionary<string, ShopRecord> shops, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(shops);
        if (job.IsFinished)
        {
            return null;
        }

        var warnings = new List<string>();
        foreach (var id in job.Shops)
        {
            if (!shops.TryGetValue(ShopRecord.MakeId(job.Platform, id), out var shop))
            {
                continue;
            }

            if (shop.State == ShopState.Disabled)
            {
                warnings.Add($"shop {id}: disabled: its tokens are not refreshed, so its slices fail once its access token lapses; enable it with 'backfill shops enable {shop.Platform} {id}'");
            }

            warnings.AddRange(Of(shop, now).Select(w => $"shop {id}: {w}"));
        }

        return warnings.Count == 0 ? null : warnings;
    }

    /// <summary>An instant as the warnings write it: UTC, to the second.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A span in the largest two units that matter: <c>6 d 12 h</c>, <c>2 h 05 min</c>, <c>25 min</c>, <c>40 s</c>.</summary>
    public static string Span(TimeSpan span)
    {
        var s = span.Duration();
        return s.TotalDays >= 1 ? (s.Hours == 0 ? $"{(int)s.TotalDays} d" : $"{(int)s.TotalDays} d {s.Hours} h")
            : s.TotalHours >= 1 ? (s.Minutes == 0 ? $"{s.Hours} h" : $"{s.Hours} h {s.Minutes:00} min")
            : s.TotalMinutes >= 1 ? $"{s.Minutes} min"
            : $"{s.Seconds} s";
    }
}
