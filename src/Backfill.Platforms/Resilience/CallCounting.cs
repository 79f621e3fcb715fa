using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Resilience;

/// <summary>How long a call holds its place in a <see cref="CallWindow"/>: the platform's counting rule and, on arrival, the jitter of the requests' delay.</summary>
internal readonly record struct CallCounting(RateLimitCounting Mode, TimeSpan Jitter)
{
    public static readonly CallCounting Strict = new(RateLimitCounting.Strict, TimeSpan.Zero);

    public bool OnArrival => Mode == RateLimitCounting.Arrival;

    public static CallCounting For(RateLimitOptions limit) =>
        limit.Counting == RateLimitCounting.Arrival ? new(RateLimitCounting.Arrival, limit.ArrivalJitter) : Strict;
}
