using Backfill.Core.Slicing;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Backfill.Scheduling;
using Backfill.Storage;
using Microsoft.Extensions.Options;

namespace Backfill.Server.Jobs;

/// <summary>Estimates a job request from the configuration and earlier runs, reading only: nothing is stored or sent.</summary>
internal sealed class JobEstimator(BackfillDatabase db, IOptionsMonitor<PlatformOptions> platforms, PlatformBoard board, IOptions<BackfillOptions> options)
{
    /// <exception cref="InvalidRangeException">A reversed, empty or too long range, or no shop: as creating the job would say.</exception>
    public JobEstimate Estimate(BackfillRequest request)
    {
        var o = options.Value;
        var shops = request.Shops.Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (shops.Count == 0)
        {
            throw new InvalidRangeException("At least one shop is required (--shop ID).");
        }

        var windows = Slicer.Slice(request.From, request.To, DayClock.Zone(request.TimeZone ?? o.TimeZone), o.SliceDays);
        // A limit set while running (backfill limit) is the one the job will meet.
        var configured = LanePlan.For(platforms.Get(request.Platform).RateLimit);
        var plan = configured.TryRetarget(board.LiveLimit(request.Platform), out var live, out _) ? live : configured;
        var history = new SliceHistory(db);
        return JobEstimate.Of(
            request.Platform,
            shops,
            request.From,
            request.To,
            windows.Count,
            request.ReleaseEvery ?? o.ReleaseEvery,
            request.SlicesPerRelease ?? o.SlicesPerRelease,
            plan.Calls / plan.Window.TotalSeconds,
            shop => history.Of(request.Platform, shop).CallsPerDay);
    }
}
