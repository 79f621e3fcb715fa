using System.Text.Json.Serialization;

namespace Backfill.Messaging.Contracts;

/// <summary>
/// What every process must hear at once, on the control topic (JSON v1): a platform's cool-off (keyed
/// <c>platform:{name}</c>), a throttle a worker met (keyed <c>throttle:{name}</c>), a platform's live rate limit (keyed
/// <c>limit:{name}</c>; the topic is compacted, so a process that starts later reads the last one), a job's run state
/// (keyed by job id), a shop's current access token, sealed (keyed <c>token:{platform}:{shop}</c>), or a worker's word
/// that a shop's token was refused as expired (keyed <c>token-refused:{platform}:{shop}</c>); for quotas, a worker's ask
/// for calls (keyed <c>quota-ask:{platform}:{process}</c>), the scheduler's grant (keyed
/// <c>quota-grant:{platform}:{process}</c>) and a quota spent until its reset (keyed <c>quota-spent:{platform}</c>). A kind is added without a new version: a reader that does not know it cannot decode the message,
/// and every reader of the control topic skips such a message with a warning.
/// </summary>
public sealed record ControlMessage : IMessage
{
    public const int CurrentVersion = 1;

    /// <summary>The <see cref="State"/> of a cancelled job.</summary>
    public const string Cancelled = "cancelled";

    public static int Version => CurrentVersion;

    [JsonRequired] public int V { get; init; } = CurrentVersion;

    [JsonRequired] public ControlKind Kind { get; init; }

    /// <summary>For <see cref="ControlKind.JobState"/>.</summary>
    public string? Job { get; init; }

    /// <summary>For <see cref="ControlKind.JobState"/>: <c>running</c>, <c>paused</c> or <c>cancelled</c>.</summary>
    public string? State { get; init; }

    /// <summary>For <see cref="ControlKind.CoolOff"/>, <see cref="ControlKind.Throttle"/> and <see cref="ControlKind.RateLimit"/>.</summary>
    public string? Platform { get; init; }

    /// <summary>
    /// For <see cref="ControlKind.CoolOff"/>: no worker calls the platform and no slice of it is released before this. For
    /// <see cref="ControlKind.Throttle"/>: no worker calls the platform before this (the end of the platform's Retry-After).
    /// For <see cref="ControlKind.Token"/>: when the token expires.
    /// </summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>For <see cref="ControlKind.Throttle"/>: the worker that met it, which does not apply it a second time.</summary>
    public string? Process { get; init; }

    /// <summary>For <see cref="ControlKind.RateLimit"/>: the platform's limit for the whole fleet from now on; null: back to the configured one.</summary>
    public double? PermitsPerSecond { get; init; }

    /// <summary>
    /// For <see cref="ControlKind.RateLimit"/>: the share of the platform's limits kept for the partner key's other clients
    /// from now on; null: back to the configured <c>RateLimit:SafetyMargin</c>. The message carries the whole live state
    /// (the topic keeps only the last one per platform).
    /// </summary>
    public double? SafetyMargin { get; init; }

    /// <summary>For <see cref="ControlKind.Token"/> and <see cref="ControlKind.TokenRefused"/>: the platform's shop id.</summary>
    public string? Shop { get; init; }

    /// <summary>
    /// For <see cref="ControlKind.Token"/>: the version of the token sealed here; for <see cref="ControlKind.TokenRefused"/>:
    /// the version the platform refused (a refresh is due unless a newer one exists).
    /// </summary>
    public long? TokenVersion { get; init; }

    /// <summary>
    /// For <see cref="ControlKind.Token"/>: the access token sealed under <c>Backfill:SecretKey</c>, base64 (a
    /// <c>SecretBox</c> for the context <c>ShopTokenContext.Access</c>); never the token in plain text.
    /// </summary>
    public string? Sealed { get; init; }

    /// <summary>
    /// For <see cref="ControlKind.QuotaAsk"/>: the calls wanted; for <see cref="ControlKind.QuotaGrant"/>: every call granted
    /// to the process until <see cref="Until"/> (grants add up).
    /// </summary>
    public long? Calls { get; init; }

    /// <summary>Who sent it and why (never a secret).</summary>
    public string? Reason { get; init; }

    [JsonIgnore]
    public string Key => Kind switch
    {
        ControlKind.CoolOff => $"platform:{Platform}",
        ControlKind.Throttle => $"throttle:{Platform?.ToLowerInvariant()}",
        ControlKind.RateLimit => $"limit:{Platform?.ToLowerInvariant()}",
        ControlKind.Token => $"token:{Platform?.ToLowerInvariant()}:{Shop}",
        ControlKind.TokenRefused => $"token-refused:{Platform?.ToLowerInvariant()}:{Shop}",
        ControlKind.QuotaAsk => $"quota-ask:{Platform?.ToLowerInvariant()}:{Process}",
        ControlKind.QuotaGrant => $"quota-grant:{Platform?.ToLowerInvariant()}:{Process}",
        ControlKind.QuotaSpent => $"quota-spent:{Platform?.ToLowerInvariant()}",
        _ => Job ?? "",
    };

    public string? Problem() => Kind switch
    {
        ControlKind.CoolOff when string.IsNullOrWhiteSpace(Platform) || Until is null => "a cool-off needs platform and until",
        ControlKind.Throttle when string.IsNullOrWhiteSpace(Platform) || Until is null || string.IsNullOrWhiteSpace(Process) => "a throttle needs platform, until and process",
        ControlKind.JobState when string.IsNullOrWhiteSpace(Job) || string.IsNullOrWhiteSpace(State) => "a job state needs job and state",
        ControlKind.RateLimit when string.IsNullOrWhiteSpace(Platform) => "a rate limit needs platform",
        ControlKind.RateLimit when PermitsPerSecond is { } permits && (!(permits > 0) || double.IsInfinity(permits)) => "a rate limit needs permitsPerSecond greater than 0 (or null to go back to the configured one)",
        ControlKind.RateLimit when SafetyMargin is { } margin && !(margin >= 0 && margin < 1) => "a rate limit needs safetyMargin of at least 0 and less than 1 (or null to go back to the configured one)",
        ControlKind.Token when string.IsNullOrWhiteSpace(Platform) || string.IsNullOrWhiteSpace(Shop) || TokenVersion is not > 0 || string.IsNullOrEmpty(Sealed) =>
            "a token needs platform, shop, tokenVersion above 0 and sealed",
        ControlKind.TokenRefused when string.IsNullOrWhiteSpace(Platform) || string.IsNullOrWhiteSpace(Shop) || TokenVersion is not >= 0 =>
            "a refused token needs platform, shop and tokenVersion",
        ControlKind.QuotaAsk when string.IsNullOrWhiteSpace(Platform) || string.IsNullOrWhiteSpace(Process) || Calls is not > 0 || Until is null =>
            "a quota ask needs platform, process, calls above 0 and until",
        ControlKind.QuotaGrant when string.IsNullOrWhiteSpace(Platform) || string.IsNullOrWhiteSpace(Process) || Calls is not >= 0 || Until is null =>
            "a quota grant needs platform, process, calls and until",
        ControlKind.QuotaSpent when string.IsNullOrWhiteSpace(Platform) || Until is null => "a spent quota needs platform and until",
        ControlKind.CoolOff or ControlKind.JobState or ControlKind.RateLimit or ControlKind.Throttle or ControlKind.Token or ControlKind.TokenRefused
            or ControlKind.QuotaAsk or ControlKind.QuotaGrant or ControlKind.QuotaSpent => null,
        _ => $"unknown kind {Kind}",
    };

    public static ControlMessage CoolOff(string platform, DateTimeOffset until, string reason) =>
        new() { Kind = ControlKind.CoolOff, Platform = platform, Until = until, Reason = reason };

    /// <summary>A worker met a throttle of <paramref name="platform"/>: every worker pauses until <paramref name="until"/> and slows down.</summary>
    public static ControlMessage Throttle(string platform, DateTimeOffset until, string process, string reason) =>
        new() { Kind = ControlKind.Throttle, Platform = platform, Until = until, Process = process, Reason = reason };

    public static ControlMessage RateLimit(string platform, double? permitsPerSecond, string reason, double? safetyMargin = null) =>
        new() { Kind = ControlKind.RateLimit, Platform = platform, PermitsPerSecond = permitsPerSecond, SafetyMargin = safetyMargin, Reason = reason };

    /// <summary>The shop's access token of <paramref name="version"/>, sealed; workers take the highest version they hear of.</summary>
    public static ControlMessage Token(string platform, string shop, long version, string sealedToken, DateTimeOffset expiresAt, string reason) =>
        new() { Kind = ControlKind.Token, Platform = platform, Shop = shop, TokenVersion = version, Sealed = sealedToken, Until = expiresAt, Reason = reason };

    /// <summary>A worker's call was refused because the shop's token of <paramref name="version"/> expired: the scheduler refreshes it.</summary>
    public static ControlMessage TokenRefused(string platform, string shop, long version, string process, string reason) =>
        new() { Kind = ControlKind.TokenRefused, Platform = platform, Shop = shop, TokenVersion = version, Process = process, Reason = reason };

    /// <summary>
    /// A worker process wants <paramref name="calls"/> more calls of the platform's quotas; the ask is stale after
    /// <paramref name="until"/> (a scheduler reading the topic again after a restart does not grant it twice).
    /// </summary>
    public static ControlMessage QuotaAsk(string platform, string process, long calls, DateTimeOffset until, string reason) =>
        new() { Kind = ControlKind.QuotaAsk, Platform = platform, Process = process, Calls = calls, Until = until, Reason = reason };

    /// <summary>The scheduler granted the process <paramref name="calls"/> calls of the platform's quotas in all, good until <paramref name="until"/>.</summary>
    public static ControlMessage QuotaGrant(string platform, string process, long calls, DateTimeOffset until, string reason) =>
        new() { Kind = ControlKind.QuotaGrant, Platform = platform, Process = process, Calls = calls, Until = until, Reason = reason };

    /// <summary>The platform's quota for backfills is spent (or the platform refused for it): no call and no release of it before <paramref name="until"/>.</summary>
    public static ControlMessage QuotaSpent(string platform, DateTimeOffset until, string? process, string reason) =>
        new() { Kind = ControlKind.QuotaSpent, Platform = platform, Until = until, Process = process, Reason = reason };

    /// <summary>A job's new run state (<c>running</c>, <c>paused</c>, <c>cancelled</c>); workers stop a cancelled job's steps.</summary>
    public static ControlMessage JobStateOf(string job, string state, string reason) =>
        new() { Kind = ControlKind.JobState, Job = job, State = state, Reason = reason };
}

/// <summary>What a <see cref="ControlMessage"/> says.</summary>
public enum ControlKind
{
    JobState,
    CoolOff,
    RateLimit,
    Throttle,
    Token,
    TokenRefused,
    QuotaAsk,
    QuotaGrant,
    QuotaSpent,
}
