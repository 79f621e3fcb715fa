using System.Text.Json.Serialization;

namespace Backfill.Server.Jobs;

/// <summary>
/// The optional body of <c>POST /api/jobs/{id}/retry</c>: one slice id; without it every failed slice is retried.
/// <c>force</c> re-runs succeeded slices too (R10).
/// </summary>
public sealed record RetryRequest
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Slice { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Force { get; init; }
}

/// <summary>The body of <c>POST /api/jobs/{id}/settings</c>: a new cadence (<c>HH:MM:SS</c> or <c>auto</c>), batch size per shop or priority, or several.</summary>
public sealed record JobSettingsRequest
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReleaseEvery { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Priority { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? SlicesPerRelease { get; init; }
}
