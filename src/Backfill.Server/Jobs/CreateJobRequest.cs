using System.Text.Json.Serialization;

namespace Backfill.Server.Jobs;

/// <summary>
/// The body of <c>POST /api/jobs</c>: a platform, its shops, and either <see cref="From"/> and <see cref="To"/>
/// (<c>YYYY-MM-DD</c>, <c>to</c> exclusive) or <see cref="Days"/> (the N whole days before today in
/// <c>Backfill:TimeZone</c>). Clients send it; the server reads the JSON itself to name what is wrong.
/// </summary>
public sealed record CreateJobRequest
{
    public required string Platform { get; init; }

    public required IReadOnlyList<string> Shops { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? From { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? To { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Days { get; init; }

    /// <summary>Release cadence as <c>HH:MM:SS</c> or <c>auto</c>; the scheduler's <c>Backfill:ReleaseEvery</c> when absent.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReleaseEvery { get; init; }

    /// <summary>Slices per release; the scheduler's <c>Backfill:SlicesPerRelease</c> when absent.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SlicesPerRelease { get; init; }

    /// <summary><c>high</c>, <c>normal</c> or <c>low</c>; normal when absent.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Priority { get; init; }

    /// <summary>True: answer 200 with a <see cref="JobEstimate"/> and create nothing.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DryRun { get; init; }

    /// <summary>What each slice pulls: <c>orders</c>, <c>finance</c>, <c>returns</c>; orders when absent.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Data { get; init; }

    /// <summary><c>create_time</c> or <c>update_time</c>; the platform's <c>TimeRangeField</c> when absent.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TimeField { get; init; }

    /// <summary>True creates the job even when an active job of the platform covers one of its shops on one of its days.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? AllowOverlap { get; init; }
}
