using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Resilience;

/// <summary>
/// The wait before a retry of a transient failure: retry n (0 for the first) waits at least BaseDelay·2ⁿ and up to half
/// as long again (jitter, so workers that failed together do not retry together), never more than MaxDelay.
/// </summary>
/// <remarks>
/// Polly's own jittered exponential back-off (decorrelated jitter) spreads each delay between 0 and about twice the
/// median, so a first retry could follow its failure after a few milliseconds: no back-off at all against a platform
/// that just failed. The floor makes BaseDelay the promise the configuration reads as.
/// </remarks>
public static class RetryBackoff
{
    private const double Jitter = 0.5;

    /// <param name="retry">0 for the first retry.</param>
    /// <param name="options">BaseDelay and MaxDelay.</param>
    /// <param name="random">A number in [0, 1).</param>
    public static TimeSpan Delay(int retry, RetryOptions options, double random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(retry);
        var floor = options.BaseDelay.Ticks * Math.Pow(2, Math.Min(retry, 62));
        var ticks = floor * (1 + (Jitter * Math.Clamp(random, 0, 1)));
        return ticks >= options.MaxDelay.Ticks ? options.MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The least a retry waits, whatever the jitter.</summary>
    public static TimeSpan Floor(int retry, RetryOptions options) => Delay(retry, options, 0);
}
