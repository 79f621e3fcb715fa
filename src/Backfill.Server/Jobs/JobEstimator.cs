using Backfill.Core.Slicing;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Backfill.Scheduling;
using Backfill.Storage;
using Microsoft.Extensions.Options;

namespace Backfill.Server.Jobs;

/// <summary>Estimates a job request from the configuration and earlier runs, reading only: nothing is stored or sent.</summary>
internal sealed class JobEstimator(BackfillDatabase db, IOptionsMonitor<PlatformOptions> platforms, IOptions<BackfillOptions> options)
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
        var plan = LanePlan.For(platforms.Get(request.Platform).RateLimit);
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
