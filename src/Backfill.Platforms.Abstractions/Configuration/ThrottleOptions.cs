namespace Backfill.Platforms.Configuration;

/// <summary>
/// How a throttle answer (HTTP 429 or <c>too_many_request</c>) slows a platform down, bound from
/// <c>Platforms:{name}:RateLimit:Throttle</c>. Throttles that arrive while a pause runs are one event.
/// </summary>
public sealed class ThrottleOptions
{
    /// <summary>No call starts for this long after a throttle, or for the platform's Retry-After when longer. Default 1 s.</summary>
    public TimeSpan MinPause { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The rate never drops below this fraction of the budget however many throttles arrive. Default 0.125.</summary>
    public double SlowestFactor { get; set; } = 0.125;

    /// <summary>Every period without a throttle the rate grows by a quarter, back up to the budget. Default 5 s.</summary>
    public TimeSpan RecoveryEvery { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>This many throttle events within <see cref="BreakerWindow"/> open the breaker. Default 3.</summary>
    public int BreakerThreshold { get; set; } = 3;

    /// <summary>Default 30 s.</summary>
    public TimeSpan BreakerWindow { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An open breaker stops every call to the platform, in every worker, and its releases, for this long. Default 1 minute.</summary>
    public TimeSpan CoolOff { get; set; } = TimeSpan.FromMinutes(1);

    public override string ToString() =>
        $"MinPause={MinPause}, SlowestFactor={SlowestFactor}, RecoveryEvery={RecoveryEvery}, BreakerThreshold={BreakerThreshold}, BreakerWindow={BreakerWindow}, CoolOff={CoolOff}";
}
