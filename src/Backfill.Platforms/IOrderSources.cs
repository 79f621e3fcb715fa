namespace Backfill.Platforms;

/// <summary>The configured platforms, by name, each with its budget in this process.</summary>
public interface IOrderSources
{
    IReadOnlyCollection<string> Names { get; }

    /// <summary>
    /// How long a worker waits after it is given a partition before its first call for it: the longest window of any
    /// platform, after which the previous owner's calls no longer count anywhere (docs/rate-budget.md).
    /// </summary>
    TimeSpan HandOverHold { get; }

    /// <summary>The source for <paramref name="platform"/>; throws <see cref="UnknownPlatformException"/> when it is not configured.</summary>
    IOrderSource Get(string platform);

    /// <summary>Calls made and throttles received by this process, per platform.</summary>
    PlatformCallStats Stats(string platform);

    /// <summary>The platform's budget in this process now: rate, pause, lanes.</summary>
    BudgetSnapshot Budget(string platform);

    /// <summary>Stops this process's calls to <paramref name="platform"/> until <paramref name="until"/> (another worker's breaker opened).</summary>
    void CoolOff(string platform, DateTimeOffset until);

    /// <summary>
    /// Another worker met a throttle of <paramref name="platform"/> and pauses until <paramref name="until"/>: no call of it
    /// starts here before then, and the rate halves as for a throttle here, unless a pause is already running here (the same
    /// event). True when it halved the rate; an unknown platform or a pause already over changes nothing (false).
    /// </summary>
    bool ThrottledElsewhere(string platform, DateTimeOffset until);

    /// <summary>
    /// The fleet's limit and safety margin for <paramref name="platform"/> changed while running (each null: back to the
    /// configured one). Returns null once applied, else why it cannot be (<see cref="LanePlan.TryRetarget(double?, double?, out LanePlan?, out string?)"/>);
    /// an unknown platform is ignored (null).
    /// </summary>
    string? SetLimit(string platform, double? permitsPerSecond, double? safetyMargin);

    /// <summary>
    /// The scheduler granted this process <paramref name="calls"/> calls of the platform's quotas in all until
    /// <paramref name="end"/>; true when it changed what this process holds (an older or repeated grant does not).
    /// </summary>
    bool QuotaGranted(string platform, DateTimeOffset end, long calls);

    /// <summary>Raised with the platform and the calls to ask the scheduler for when this process holds too few of its quotas.</summary>
    event Action<string, long>? QuotaWanted;

    /// <summary>Raised with the platform and when to resume when the platform refused a call for its quota: the fleet pauses it until then.</summary>
    event Action<string, DateTimeOffset>? QuotaRefused;

    /// <summary>Raised with the platform and the cool-off's end when this process's breaker opens for it.</summary>
    event Action<string, DateTimeOffset>? CoolOffStarted;

    /// <summary>
    /// Raised with the platform and the end of its pause when a throttle answer here starts the pause or lengthens it (a
    /// later Retry-After), for the rest of the fleet to pause as long.
    /// </summary>
    event Action<string, DateTimeOffset>? Throttled;

    /// <summary>
    /// Raised with the platform, the shop and the token version when the platform refused that version as expired here, once
    /// per shop and version in this process, for the scheduler to refresh the shop's tokens.
    /// </summary>
    event Action<string, string, long>? TokenRefused;
}

/// <summary>A platform name that is not configured under <c>Platforms:</c>.</summary>
public sealed class UnknownPlatformException(string platform, IEnumerable<string> known)
    : Exception($"Unknown platform '{platform}'. Configured platforms: {(known.Any() ? string.Join(", ", known) : "(none)")}. Add it under Platforms:{platform} in appsettings.json.");

/// <summary>Counters of one platform in this process.</summary>
/// <param name="TokensExpired">Calls the platform answered with the shop's access token refused as expired.</param>
/// <param name="QuotaRefused">Calls the platform refused because the app's quota for the period was spent.</param>
/// <param name="LeftLate">
/// Calls counted on arrival whose request left this process more than half of <c>RateLimit:ArrivalJitter</c> after their
/// admission: counted strict instead, or not sent when their place in the window may have been taken meanwhile.
/// </param>
public sealed record PlatformCallStats(long Calls, long Throttled, long TransientErrors, long PermanentErrors, long TokensExpired = 0, long QuotaRefused = 0, long LeftLate = 0);
