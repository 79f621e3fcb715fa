using System.Text.Json.Serialization;

namespace Backfill.Messaging.Contracts;

/// <summary>
/// What every process must hear at once, on the control topic (JSON v1): a platform's cool-off (keyed
/// <c>platform:{name}</c>), or a job's run state (keyed by job id).
/// </summary>
public sealed record ControlMessage : IMessage
{
    public const int CurrentVersion = 1;

    public static int Version => CurrentVersion;

    [JsonRequired] public int V { get; init; } = CurrentVersion;

    [JsonRequired] public ControlKind Kind { get; init; }

    /// <summary>For <see cref="ControlKind.JobState"/>.</summary>
    public string? Job { get; init; }

    /// <summary>For <see cref="ControlKind.JobState"/>: <c>running</c>, <c>paused</c> or <c>cancelled</c>.</summary>
    public string? State { get; init; }

    /// <summary>For <see cref="ControlKind.CoolOff"/>.</summary>
    public string? Platform { get; init; }

    /// <summary>For <see cref="ControlKind.CoolOff"/>: no worker calls the platform and no slice of it is released before this.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Who sent it and why (never a secret).</summary>
    public string? Reason { get; init; }

    [JsonIgnore]
    public string Key => Kind == ControlKind.CoolOff ? $"platform:{Platform}" : Job ?? "";

    public string? Problem() => Kind switch
    {
        ControlKind.CoolOff when string.IsNullOrWhiteSpace(Platform) || Until is null => "a cool-off needs platform and until",
        ControlKind.JobState when string.IsNullOrWhiteSpace(Job) || string.IsNullOrWhiteSpace(State) => "a job state needs job and state",
        ControlKind.CoolOff or ControlKind.JobState => null,
        _ => $"unknown kind {Kind}",
    };

    public static ControlMessage CoolOff(string platform, DateTimeOffset until, string reason) =>
        new() { Kind = ControlKind.CoolOff, Platform = platform, Until = until, Reason = reason };
}

/// <summary>What a <see cref="ControlMessage"/> says.</summary>
public enum ControlKind
{
    JobState,
    CoolOff,
}
