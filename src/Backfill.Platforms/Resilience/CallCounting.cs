using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Resilience;

/// <summary>How long a call holds its place in a <see cref="CallWindow"/>: the platform's counting rule and, on arrival, the jitter of the requests' delay.</summary>
public readonly record struct CallCounting(RateLimitCounting Mode, TimeSpan Jitter)
{
    internal static readonly CallCounting Strict = new(RateLimitCounting.Strict, TimeSpan.Zero);

    public bool OnArrival => Mode == RateLimitCounting.Arrival;

    /// <summary>
    /// On arrival, the longest a call's request may wait in this process between its admission and leaving it and still be
    /// counted on arrival: half the jitter, the other half being the way to the platform's stamp. One held longer is
    /// counted strict (<see cref="CallWindow"/>).
    /// </summary>
    public TimeSpan MostHeld => Jitter / 2;

    internal static CallCounting For(RateLimitOptions limit) =>
        limit.Counting == RateLimitCounting.Arrival ? new(RateLimitCounting.Arrival, limit.ArrivalJitter) : Strict;
}
