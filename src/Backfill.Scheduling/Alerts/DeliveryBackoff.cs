namespace Backfill.Scheduling.Alerts;

/// <summary>How long a failed delivery waits before its next attempt. Pure.</summary>
public static class DeliveryBackoff
{
    /// <summary>
    /// The wait after failed attempt <paramref name="retry"/> (0 for the first): <c>BaseDelay · 2^retry</c>, or the
    /// target's <paramref name="retryAfter"/> when longer, never more than <c>MaxDelay</c>.
    /// </summary>
    public static TimeSpan Delay(int retry, DeliveryRetryOptions options, TimeSpan? retryAfter = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(retry);
        var doubled = retry >= 30 ? options.MaxDelay : options.BaseDelay * Math.Pow(2, retry);
        var wait = retryAfter is { } after && after > doubled ? after : doubled;
        return wait < options.MaxDelay ? wait : options.MaxDelay;
    }
}
