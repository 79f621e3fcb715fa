using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace Backfill.Server.Jobs;

/// <summary>
/// The optional body of <c>POST /api/jobs/{id}/retry</c>: one slice id; without it every failed slice is retried.
/// <c>force</c> re-runs succeeded slices too (R10).
/// </summary>
public sealed record RetryRequest
{
    [Description("a slice id as 'GET /api/jobs/{id}/slices?state=failed' lists them")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Slice { get; init; }

    [Description("true (re-run succeeded slices too) or false")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Force { get; init; }
}

/// <summary>The body of <c>POST /api/jobs/{id}/settings</c>: a new cadence (<c>HH:MM:SS</c> or <c>auto</c>), batch size per shop or priority, or several.</summary>
public sealed record JobSettingsRequest
{
    [Description("\"auto\" or a positive time span \"HH:MM:SS\", e.g. \"00:10:00\"")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReleaseEvery { get; init; }

    [Description("a whole number of slices per shop per release, at least 1")]
    [Range(1, int.MaxValue, ErrorMessage = "slicesPerRelease must be a whole number of slices, at least {1}")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SlicesPerRelease { get; init; }

    [Description("\"high\", \"normal\" or \"low\"")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Priority { get; init; }
}
