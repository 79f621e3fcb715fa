using Backfill.Core.Jobs;
using Backfill.Scheduling.Alerts;
using Backfill.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Scheduling;

/// <summary>
/// Every <see cref="CheckEvery"/> on the scheduler's clock, puts back to Pending the slices in flight that
/// <see cref="StuckRule"/> finds stuck, so their job's next release sends them again as a new attempt and they stop
/// holding a place under <see cref="BackfillOptions.MaxInFlightPerPlatform"/>. Each is logged, counted
/// (<c>backfill_slices_restarted_total</c>) and recorded in the slice's history. It runs while no progress is applied,
/// so a report that arrives meanwhile is applied before (and the slice is not stuck) or after (and is stale). Each is
/// raised on <paramref name="alerts"/>.
/// </summary>
public sealed partial class StuckSlices(JobStore store, ProgressApplier progress, PlatformBoard board, IOptions<BackfillOptions> options, TimeProvider time, ILogger<StuckSlices> logger, IAlerts? alerts = null)
{
    private readonly DateTimeOffset _watchingSince = time.GetUtcNow();

    /// <summary>A quarter of <see cref="BackfillOptions.StuckAfter"/>, between 100 ms and a minute: a stuck slice waits at most that much longer.</summary>
    public TimeSpan CheckEvery => TimeSpan.FromTicks(Math.Clamp(options.Value.StuckAfter.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromMinutes(1).Ticks));

    public async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(CheckEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await CheckAsync(stop);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A check that failed (the store) is said and made again at the next tick: it must not end silently.
                    Log.CheckFailed(logger, e.GetType().Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Since when silence counts against a platform's slices: the start of watching, or the end of the platform's last
    /// quota pause, during which steps wait at its gate on purpose (a pause may last longer than StuckAfter).
    /// </summary>
    private DateTimeOffset Since(string platform) =>
        board.QuotaPausedUntil(platform) is { } end && end > _watchingSince ? end : _watchingSince;

    /// <summary>Puts the stuck slices back to Pending; returns them.</summary>
    public async Task<IReadOnlyList<SliceRecord>> CheckAsync(CancellationToken cancellationToken)
    {
        await progress.Sync.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            var after = options.Value.StuckAfter;
            var stuck = store.AllInFlightSlices().Where(s => StuckRule.IsStuck(s, now, after, Since(s.Platform))).ToList();
            foreach (var slice in stuck)
            {
                var heard = StuckRule.LastHeard(slice, Since(slice.Platform));
                var was = slice.State;
                slice.Restarts++;
                store.Save(slice, slice.MoveTo(SliceState.Pending, now, $"nothing heard of attempt {slice.Attempt} since {heard:O} (Backfill:StuckAfter {after:c}): released again as a new attempt"));
                board.Restarted(slice.Platform);
                Log.Restarted(logger, slice.Id, slice.JobId, slice.Attempt, was, heard, after);
                alerts?.Raise(Alert.SliceStuck(slice, heard, after, now));
            }

            return stuck;
        }
        finally
        {
            progress.Sync.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2, LogLevel.Error, "The check for stuck slices failed, again at the next tick: {Type}: {Error}")]
        public static partial void CheckFailed(ILogger logger, string type, string error);

        [LoggerMessage(1, LogLevel.Warning, "Slice {Slice} of job {Job} is stuck: nothing heard of attempt {Attempt} ({State}) since {LastProgress:O}, more than Backfill:StuckAfter {StuckAfter}; back to pending, released again as a new attempt")]
        public static partial void Restarted(ILogger logger, string slice, string job, int attempt, SliceState state, DateTimeOffset lastProgress, TimeSpan stuckAfter);
    }
}
