namespace Backfill.Scheduling.Alerts;

/// <summary>The events an operator can be told of (<c>Notifications:…:Events</c>); names are the wire's and the configuration's.</summary>
public static class AlertEvents
{
    public const string JobSucceeded = "job.succeeded";
    public const string JobFailed = "job.failed";
    public const string SliceFailed = "slice.failed";
    public const string SliceStuck = "slice.stuck";
    public const string PlatformCoolOff = "platform.cooloff";
    public const string PlatformQuotaSpent = "platform.quota_spent";
    public const string ShopTokenExpiring = "shop.token_expiring";
    public const string ShopNeedsAuthorization = "shop.needs_authorization";
    public const string WorkerCommitFailures = "worker.commit_failures";

    /// <summary>What <c>backfill notify test</c> sends; no target subscribes to it, every target receives it.</summary>
    public const string Test = "test";

    /// <summary>In a target's <c>Events</c>: every event.</summary>
    public const string Every = "*";

    public static readonly IReadOnlyList<string> All =
    [
        JobSucceeded, JobFailed, SliceFailed, SliceStuck, PlatformCoolOff, PlatformQuotaSpent, ShopTokenExpiring, ShopNeedsAuthorization, WorkerCommitFailures,
    ];

    /// <summary>Whether a target configured with <paramref name="events"/> wants <paramref name="name"/>: none listed, or <c>*</c>, is all of them.</summary>
    public static bool Wants(IReadOnlyCollection<string> events, string name) =>
        events.Count == 0 || events.Any(e => e == Every || string.Equals(e, name, StringComparison.OrdinalIgnoreCase));
}
