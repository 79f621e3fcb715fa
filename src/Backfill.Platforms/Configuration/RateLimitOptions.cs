namespace Backfill.Platforms.Configuration;

/// <summary>
/// The calls per second this process may make to a platform, bound from <c>Platforms:{name}:RateLimit</c>.
/// Platforms count calls in (often sliding) one-second windows, so the limiter runs a little under
/// <see cref="PermitsPerSecond"/> and lets only a small burst through at once.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>The platform's limit in calls per second. Required, greater than 0.</summary>
    public double PermitsPerSecond { get; set; }

    /// <summary>Calls that may start back to back after an idle period. Default 1.</summary>
    public int Burst { get; set; } = 1;

    /// <summary>The fraction of <see cref="PermitsPerSecond"/> left unused to absorb timing jitter, 0 ≤ margin &lt; 1. Default 0.05.</summary>
    public double SafetyMargin { get; set; } = 0.05;

    public override string ToString() => $"PermitsPerSecond={PermitsPerSecond}, Burst={Burst}, SafetyMargin={SafetyMargin}";
}
