namespace Backfill.Scheduling;

/// <summary>"Re-pull these shops of this platform for <c>[From, To)</c>."</summary>
public sealed record BackfillRequest(
    string Platform,
    IReadOnlyList<string> Shops,
    DateOnly From,
    DateOnly To,
    TimeSpan? ReleaseEvery = null,
    int? SlicesPerRelease = null,
    string Source = "cli");
