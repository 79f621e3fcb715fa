using System.Globalization;
using Backfill.Platforms.Configuration;
using Backfill.Core.Jobs;
using Backfill.Core.Shops;

namespace Backfill.Scheduling.Shops;

/// <summary>What an operator may do with a registered shop, and the words that say why not. Pure.</summary>
public static class ShopRules
{
    private const int Listed = 20;

    /// <summary>
    /// Why <paramref name="shop"/> cannot name a shop of a platform of <paramref name="kind"/> (its adapter says: Shopee's
    /// numeric id, a Lazada seller's name), or null; a kind not known has no rule of its own here (its configuration is refused at start).
    /// </summary>
    public static string? ShopIdProblem(string? kind, string shop)
    {
        ArgumentNullException.ThrowIfNull(shop);
        return PlatformKinds.Find(kind) is { } adapter ? adapter.ShopIdProblem(shop)
            : shop.Length == 0 ? "a shop is required" : null;
    }

    /// <summary>The state as the API and the CLI name it.</summary>
    public static string StateName(ShopState state) => state switch
    {
        ShopState.Active => "active",
        ShopState.Disabled => "disabled",
        ShopState.NeedsAuthorization => "needs-authorization",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>Why <paramref name="shop"/> cannot be enabled, or null (enabling an active shop leaves it active).</summary>
    public static string? EnableRefusal(ShopRecord shop)
    {
        ArgumentNullException.ThrowIfNull(shop);
        return shop.State == ShopState.NeedsAuthorization
            ? $"Shop {shop.Platform}/{shop.Shop} needs authorization: the platform refused its refresh token, so enabling it would change nothing. " +
              $"The seller must authorise the app again; then bring the new refresh token with '{AddCommand(shop.Platform, shop.Shop)}', which makes it active."
            : null;
    }

    /// <summary>Why the shop cannot be removed: the running or paused jobs of it, named; null when there are none.</summary>
    public static string? RemoveRefusal(string platform, string shop, IEnumerable<JobRecord> jobs)
    {
        var holding = jobs
            .Where(j => j.State is JobState.Running or JobState.Paused && string.Equals(j.Platform, platform, StringComparison.OrdinalIgnoreCase) && j.Shops.Contains(shop, StringComparer.Ordinal))
            .Select(j => j.Id)
            .ToList();
        return holding.Count == 0
            ? null
            : $"Shop {platform}/{shop} cannot be removed while jobs of it are running or paused: {List(holding)}. Cancel them ('backfill cancel JOB') or let them finish first.";
    }

    /// <summary>Why a job cannot be made of these shops, which the platform knows but which are not active.</summary>
    public static string NotActive(string platform, IReadOnlyList<(string Shop, ShopState State)> shops)
    {
        ArgumentNullException.ThrowIfNull(shops);
        string Why((string Shop, ShopState State) s) => s.State switch
        {
            ShopState.Disabled => $"is disabled: enable it with 'backfill shops enable {platform} {s.Shop}'",
            ShopState.NeedsAuthorization => $"needs authorization: the seller must authorise the app again, then bring the new refresh token with '{AddCommand(platform, s.Shop)}'",
            _ => $"is {StateName(s.State)}",
        };

        return shops.Count == 1
            ? $"Shop {Cut(shops[0].Shop)} of platform {platform} {Why(shops[0])}."
            : $"{shops.Count.ToString("N0", CultureInfo.InvariantCulture)} shops of platform {platform} are not active: {List(shops.Select(s => $"{Cut(s.Shop)} {Why(s)}").ToList(), "; ")}.";
    }

    /// <summary>The command that brings a shop's new refresh token, reading it from stdin (never on the command line).</summary>
    public static string AddCommand(string platform, string shop) => $"backfill shops add {platform} {shop} --refresh-token -";

    private static string List(IReadOnlyList<string> items, string separator = ", ")
    {
        var shown = string.Join(separator, items.Take(Listed));
        return items.Count <= Listed ? shown : $"{shown} … ({(items.Count - Listed).ToString("N0", CultureInfo.InvariantCulture)} more)";
    }

    private static string Cut(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
