namespace Backfill.Platforms.Configuration;

/// <summary>Retries of transient failures, bound from <c>Platforms:{name}:Retry</c>. Permanent errors and throttles are never retried.</summary>
public sealed class RetryOptions
{
    /// <summary>Attempts in total, the first included. Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>The least wait before the first retry; retry n waits at least BaseDelay·2ⁿ, plus up to half as long of jitter. Default 200 ms.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest back-off. Default 5 seconds.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    public override string ToString() => $"MaxAttempts={MaxAttempts}, BaseDelay={BaseDelay}, MaxDelay={MaxDelay}";
}
