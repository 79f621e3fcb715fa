using Backfill.Core.Data;
using Backfill.Core.Jobs;

namespace Backfill.Scheduling;

/// <summary>"Re-pull these shops of this platform for <c>[From, To)</c>."</summary>
/// <param name="ReleaseEvery">The cadence (<see cref="Core.Release.ReleaseCadence"/>: zero is <c>auto</c>); default <c>Backfill:ReleaseEvery</c>.</param>
/// <param name="JobId">The job's id when the caller must be able to find it again (a schedule's firing); otherwise a new one.</param>
/// <param name="TimeZone">IANA zone of the days; default <c>Backfill:TimeZone</c>.</param>
/// <param name="AllowOverlap">Create it even when an active job of the platform covers one of its shops on one of its days.</param>
public sealed record BackfillRequest(
    string Platform,
    IReadOnlyList<string> Shops,
    DateOnly From,
    DateOnly To,
    TimeSpan? ReleaseEvery = null,
    int? SlicesPerRelease = null,
    string Source = "cli",
    string? JobId = null,
    string? TimeZone = null,
    bool AllowOverlap = false)
{
    /// <summary>How the job shares its platform with other jobs; default normal.</summary>
    public JobPriority Priority { get; init; }

    /// <summary>What each slice pulls; default orders.</summary>
    public Datasets Data { get; init; } = DatasetNames.Default;

    /// <summary>The order time the days are read by (<see cref="TimeFields"/>); null: the platform's <c>TimeRangeField</c>.</summary>
    public string? TimeField { get; init; }
}
