namespace Backfill.Platforms;

/// <summary>The configured platforms, by name.</summary>
public interface IOrderSources
{
    IReadOnlyCollection<string> Names { get; }

    /// <summary>The source for <paramref name="platform"/>; throws <see cref="UnknownPlatformException"/> when it is not configured.</summary>
    IOrderSource Get(string platform);

    /// <summary>Calls made and throttles received by this process, per platform.</summary>
    PlatformCallStats Stats(string platform);
}

/// <summary>A platform name that is not configured under <c>Platforms:</c>.</summary>
public sealed class UnknownPlatformException(string platform, IEnumerable<string> known)
    : Exception($"Unknown platform '{platform}'. Configured platforms: {(known.Any() ? string.Join(", ", known) : "(none)")}. Add it under Platforms:{platform} in appsettings.json.");

/// <summary>Counters of one platform in this process.</summary>
public sealed record PlatformCallStats(long Calls, long Throttled, long TransientErrors, long PermanentErrors);
