using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Core.Slicing;
using Backfill.Scheduling;

namespace Backfill.Server.Jobs;

/// <summary>A job request whose members are each well formed; the range may still be reversed or empty.</summary>
/// <param name="Platform">As spelled under <c>Platforms:</c> in the configuration.</param>
/// <param name="DryRun">Estimate the job instead of creating it.</param>
/// <param name="AllowOverlap">Create it even when it overlaps an active job.</param>
internal sealed record JobAsk(string Platform, IReadOnlyList<string> Shops, DateOnly? From, DateOnly? To, int? Days, TimeSpan? ReleaseEvery, int? SlicesPerRelease, bool DryRun = false, bool AllowOverlap = false)
{
    public Datasets Data { get; init; } = DatasetNames.Default;

    public string? TimeField { get; init; }

    public JobPriority Priority { get; init; }

    /// <summary>Resolves <see cref="Days"/> against today in <paramref name="zone"/>, like <c>backfill run --days</c>.</summary>
    public BackfillRequest ToRequest(TimeProvider time, TimeZoneInfo zone)
    {
        var (from, to) = Days is { } days ? Slicer.LastDays(days, time, zone) : (From!.Value, To!.Value);
        return new BackfillRequest(Platform, Shops, from, to, ReleaseEvery, SlicesPerRelease, Source: "api", AllowOverlap: AllowOverlap) { Data = Data, TimeField = TimeField, Priority = Priority };
    }
}
