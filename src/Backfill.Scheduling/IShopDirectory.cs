using Microsoft.Extensions.Configuration;

namespace Backfill.Scheduling;

/// <summary>
/// Which shops a platform knows: a job is made only of those, so a shop nobody can call is refused when the job is
/// asked for, not failed slice by slice at the workers.
/// </summary>
public interface IShopDirectory
{
    /// <summary>The shops of <paramref name="shops"/> that <paramref name="platform"/> does not know, in the order given.</summary>
    IReadOnlyList<string> Unknown(string platform, IReadOnlyCollection<string> shops);

    /// <summary>The shops <paramref name="platform"/> knows, for messages that say what could have been asked.</summary>
    IReadOnlyList<string> Known(string platform);
}

/// <summary>The shops of the configuration: a shop is known to a platform when <c>Platforms:{platform}:Shops:{id}</c> exists.</summary>
public sealed class ConfiguredShops(IConfiguration configuration) : IShopDirectory
{
    public IReadOnlyList<string> Unknown(string platform, IReadOnlyCollection<string> shops) => Unknown(configuration, platform, shops);

    public IReadOnlyList<string> Known(string platform) => Known(configuration, platform);

    /// <summary>As <see cref="IShopDirectory.Unknown"/>, straight from <paramref name="configuration"/> (the check at start reads it so).</summary>
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
