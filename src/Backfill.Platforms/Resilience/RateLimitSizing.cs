using System.Threading.RateLimiting;
using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Resilience;

/// <summary>
/// Turns <see cref="RateLimitOptions"/> into the platform's token bucket and its call window.
/// The bucket paces calls: <c>Burst</c> tokens, one more every 1 s / (PermitsPerSecond × (1 − SafetyMargin)).
/// The window keeps the promise the bucket alone cannot (ARCHITECTURE.md, R2, "mind the window"): the bucket adds a
/// token per timer tick, its timer runs on whole milliseconds and ticks bunch when the thread pool is busy, and calls
/// reach the platform after varying delays (a cold start, a new connection), so calls paced exactly still arrive
/// bunched and trip a strict sliding second.
/// </summary>
internal static class RateLimitSizing
{
    public static TimeSpan BucketPeriod(RateLimitOptions limit)
    {
        var effectiveRate = limit.PermitsPerSecond * (1 - limit.SafetyMargin);

        // Rounded up to the tick: a period a tick short would be a rate a hair over budget.
        return TimeSpan.FromTicks((long)Math.Ceiling(TimeSpan.TicksPerSecond / effectiveRate));
    }

    public static TokenBucketRateLimiterOptions BucketOptions(RateLimitOptions limit) => new()
    {
        TokenLimit = limit.Burst,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = BucketPeriod(limit),
        AutoReplenishment = true,

        // Callers wait their turn rather than fail: the bucket paces, it does not shed load.
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    };

    /// <summary>⌊PermitsPerSecond⌋ calls (at least 1) per the time the platform allows that many: one second for whole rates.</summary>
    public static CallWindow Window(RateLimitOptions limit, TimeProvider time)
    {
        var calls = Math.Max(1, (int)Math.Floor(limit.PermitsPerSecond));
        return new CallWindow(calls, TimeSpan.FromSeconds(calls / limit.PermitsPerSecond), time);
    }
}
