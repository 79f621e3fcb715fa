using Backfill.Core.Data;
using Backfill.Core.Shops;
using Backfill.Platforms.Configuration;
using Backfill.Storage;
using Microsoft.Extensions.Configuration;

namespace Backfill.Scheduling;

/// <summary>
/// Which shops a platform knows, and which of them may run: a job is made only of known, active shops, so a shop nobody
/// can call is refused when the job is asked for, not failed slice by slice at the workers.
/// </summary>
public interface IShopDirectory
{
    /// <summary>The shops of <paramref name="shops"/> that <paramref name="platform"/> does not know, in the order given.</summary>
    IReadOnlyList<string> Unknown(string platform, IReadOnlyCollection<string> shops);

    /// <summary>The shops <paramref name="platform"/> knows, for messages that say what could have been asked.</summary>
    IReadOnlyList<string> Known(string platform);

    /// <summary>The shops of <paramref name="shops"/> whose state is not <see cref="ShopState.Active"/>, with it, in the order given.</summary>
    IReadOnlyList<(string Shop, ShopState State)> NotActive(string platform, IReadOnlyCollection<string> shops);

    /// <summary>The datasets the platform's shops can be pulled for (its adapter's); every dataset unless the directory knows better.</summary>
    Datasets DatasetsOf(string platform) => Datasets.Orders | Datasets.Finance | Datasets.Returns;
}

/// <summary>
/// The shops of the configuration (<c>Platforms:{platform}:Shops:{id}</c>) and of the scheduler's shop registry (those
/// added through the API, and the configured ones it was seeded with). A shop's state is the registry's; a configured shop
/// the registry does not hold is active.
/// </summary>
public sealed class RegisteredShops(IConfiguration configuration, ShopStore registry) : IShopDirectory
{
    public IReadOnlyList<string> Unknown(string platform, IReadOnlyCollection<string> shops)
    {
        ArgumentNullException.ThrowIfNull(shops);
        var known = Known(platform).ToHashSet(StringComparer.Ordinal);
        return [.. shops.Where(s => !known.Contains(s))];
    }

    public IReadOnlyList<string> Known(string platform) =>
        [.. ConfiguredShops.Known(configuration, platform).Concat(registry.All(platform).Select(s => s.Shop)).Distinct(StringComparer.Ordinal)];

    public IReadOnlyList<(string Shop, ShopState State)> NotActive(string platform, IReadOnlyCollection<string> shops)
    {
        ArgumentNullException.ThrowIfNull(shops);
        var states = registry.All(platform).ToDictionary(s => s.Shop, s => s.State, StringComparer.Ordinal);
        return [.. shops.Where(s => states.TryGetValue(s, out var state) && state != ShopState.Active).Select(s => (s, states[s]))];
    }

    public Datasets DatasetsOf(string platform) =>
        PlatformKinds.Find(configuration[$"Platforms:{platform}:Kind"])?.Datasets ?? (Datasets.Orders | Datasets.Finance | Datasets.Returns);
}

/// <summary>The shops of the configuration alone: what the check at start can read in any process, without the registry.</summary>
public static class ConfiguredShops
{
    /// <summary>The shops of <paramref name="shops"/> that <c>Platforms:{platform}:Shops</c> does not name, in the order given.</summary>
    public static IReadOnlyList<string> Unknown(IConfiguration configuration, string platform, IReadOnlyCollection<string> shops)
    {
        ArgumentNullException.ThrowIfNull(shops);
        var known = Known(configuration, platform).ToHashSet(StringComparer.Ordinal);
        return [.. shops.Where(s => !known.Contains(s))];
    }

    public static IReadOnlyList<string> Known(IConfiguration configuration, string platform)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return [.. configuration.GetSection($"Platforms:{platform}:Shops").GetChildren().Select(c => c.Key)];
    }
}
