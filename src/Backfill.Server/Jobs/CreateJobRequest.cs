using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using Backfill.Core.Slicing;
using Backfill.Server.Api;

namespace Backfill.Server.Jobs;

/// <summary>
/// The body of <c>POST /api/jobs</c>: a platform, its shops, and either <see cref="From"/> and <see cref="To"/>
/// (<c>to</c> exclusive) or <see cref="Days"/> (the N whole days before today in <c>Backfill:TimeZone</c>). Read strictly
/// (<see cref="StrictBody"/>): a member not listed here is refused.
/// </summary>
public sealed record CreateJobRequest
{
    [Description("the name of a platform configured under Platforms:, e.g. \"shopee\"")]
    public required string Platform { get; init; }

    [Description("a non-empty array of shop ids, e.g. [\"10001\", \"10002\"]")]
    [JsonConverter(typeof(ShopIdsConverter))]
    [MinLength(1, ErrorMessage = "shops must name at least one shop")]
    public required IReadOnlyList<string> Shops { get; init; }

    [Description("a date \"YYYY-MM-DD\", the first day (with to)")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateOnly? From { get; init; }

    [Description("a date \"YYYY-MM-DD\", the day after the last (with from)")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateOnly? To { get; init; }

    [Description("a whole number of days: the N whole days before today (instead of from and to)")]
    [Range(1, Slicer.MaxDays, ErrorMessage = "days must be a whole number of days from {1} to {2}")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Days { get; init; }

    /// <summary>Release cadence as <c>HH:MM:SS</c> or <c>auto</c>; the scheduler's <c>Backfill:ReleaseEvery</c> when absent.</summary>
    [Description("\"auto\" or a positive time span \"HH:MM:SS\", e.g. \"00:05:00\"")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReleaseEvery { get; init; }

    /// <summary>Slices per release; the scheduler's <c>Backfill:SlicesPerRelease</c> when absent.</summary>
    [Description("a whole number of slices per shop per release, at least 1")]
    [Range(1, int.MaxValue, ErrorMessage = "slicesPerRelease must be a whole number of slices, at least {1}")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SlicesPerRelease { get; init; }

    /// <summary><c>high</c>, <c>normal</c> or <c>low</c>; normal when absent.</summary>
    [Description("\"high\", \"normal\" or \"low\"")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Priority { get; init; }

    /// <summary>True: answer 200 with a <see cref="JobEstimate"/> and create nothing.</summary>
    [Description("true (estimate only, create nothing) or false")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DryRun { get; init; }

    /// <summary>What each slice pulls: <c>orders</c>, <c>finance</c>, <c>returns</c>; orders when absent.</summary>
    [Description("an array of dataset names, e.g. [\"orders\", \"finance\"] (orders, finance, returns)")]
    [JsonConverter(typeof(NamesConverter))]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Data { get; init; }

    /// <summary><c>create_time</c> or <c>update_time</c>; the platform's <c>TimeRangeField</c> when absent.</summary>
    [Description("\"create_time\" or \"update_time\"")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? TimeField { get; init; }

    /// <summary>True creates the job even when an active job of the platform covers one of its shops on one of its days.</summary>
    [Description("true (create it even when an active job covers one of its shops on one of its days) or false")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? AllowOverlap { get; init; }
}
