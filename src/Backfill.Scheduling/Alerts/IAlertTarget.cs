namespace Backfill.Scheduling.Alerts;

/// <summary>A webhook or a mailbox: one attempt to deliver one alert.</summary>
public interface IAlertTarget
{
    /// <summary>The target as logs and <c>notify test</c> name it: its configuration key and where it points, never a secret or a URL's path.</summary>
    string Name { get; }

    bool Wants(string eventName);

    /// <summary>One attempt; never throws for the target's failures, only when <paramref name="cancellationToken"/> is cancelled.</summary>
    Task<DeliveryOutcome> SendAsync(Alert alert, CancellationToken cancellationToken);
}

/// <summary>What one attempt came to.</summary>
/// <param name="Reason">Why it failed, in words with no secret.</param>
/// <param name="Transient">A failure that may pass (network, HTTP 5xx or 429, SMTP 4xx): worth another attempt.</param>
/// <param name="RetryAfter">The target's own word on when to try again.</param>
public sealed record DeliveryOutcome(bool Delivered, string? Reason = null, bool Transient = false, TimeSpan? RetryAfter = null)
{
    public static readonly DeliveryOutcome Ok = new(true);

    public static DeliveryOutcome Retry(string reason, TimeSpan? retryAfter = null) => new(false, reason, true, retryAfter);

    public static DeliveryOutcome Refused(string reason) => new(false, reason);
}
