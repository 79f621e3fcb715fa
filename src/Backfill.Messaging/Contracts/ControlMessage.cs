using System.Text.Json.Serialization;

namespace Backfill.Messaging.Contracts;

/// <summary>A job's run state on the compacted control topic, keyed by job id (JSON v1).</summary>
public sealed record ControlMessage : IMessage
{
    public const int CurrentVersion = 1;

    public static int Version => CurrentVersion;

    [JsonRequired] public int V { get; init; } = CurrentVersion;

    [JsonRequired] public string Job { get; init; } = "";

    /// <summary><c>running</c>, <c>paused</c> or <c>cancelled</c>.</summary>
    [JsonRequired] public string State { get; init; } = "";
}
