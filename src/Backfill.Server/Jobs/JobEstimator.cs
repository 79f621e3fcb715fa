using Backfill.Core.Slicing;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Quotas;
using Backfill.Scheduling;
using Backfill.Storage;
using Microsoft.Extensions.Options;

namespace Backfill.Server.Jobs;

/// <summary>Estimates a job request from the configuration and earlier runs, reading only: nothing is stored or sent.</summary>
internal sealed class JobEstimator(BackfillDatabase db, IOptionsMonitor<PlatformOptions> platforms, PlatformBoard board, IShopDirectory directory, IOptions<BackfillOptions> options)
{
    /// <exception cref="InvalidRangeException">A reversed, empty, unsupported or too long range, or no shop: as creating the job would say.</exception>
    /// <exception cref="InvalidJobRequestException">A shop the platform does not know, or too many slices: as creating the job would say.</exception>
    public JobEstimate Estimate(BackfillRequest request)
    {
        var o = options.Value;
        var shape = JobShape.Of(request, o, directory);
        var shops = shape.Shops;
        // A limit set while running (backfill limit) is the one the job will meet; the jobs' calls share the lanes' part of it.
        var configured = LanePlan.For(platforms.Get(request.Platform).RateLimit);
        var plan = configured.TryRetarget(board.LiveLimit(request.Platform), board.LiveMargin(request.Platform), out var live, out _) ? live : configured;
        var history = new SliceHistory(db).Of(request.Platform, shops);
        var pageSize = platforms.Get(request.Platform).PageSize;
        return JobEstimate.Of(
            request.Platform,
            shops,
            request.From,
            request.To,
            shape.Windows,
            request.ReleaseEvery ?? o.Cadence,
            request.SlicesPerRelease ?? o.SlicesPerRelease,
            plan.LaneCalls / plan.Window.TotalSeconds,
            request.Data,
            (shop, dataset) => history[shop].CallsPerDay(dataset),
            dataset => DefaultCalls.PerDay(dataset, o.SliceDays, pageSize),
            QuotaPlan.For(platforms.Get(request.Platform).RateLimit).Shapes,
            plan.ShopCalls is { } shopCalls ? shopCalls / plan.ShopWindow.TotalSeconds : null);
    }
}
