using Backfill.Core.Jobs;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;

namespace Backfill.Scheduling;

/// <summary>
/// When a slice in flight is stuck: nothing heard of its current attempt — its release, a report of it — for
/// <see cref="BackfillOptions.StuckAfter"/>. Its step was lost (parked by a worker after its infrastructure retries,
/// dropped with a dead process): no progress will ever come, and it would count against the in-flight cap for ever.
/// Such a slice is released again under a new attempt; should the old one have been merely slow, the repeat costs a
/// step done twice (its orders absorbed by the sink, its reports ignored as stale), never a lost one.
/// </summary>
public static class StuckRule
{
    /// <summary>
    /// When the scheduler last heard of the slice's current attempt, but not before <paramref name="watchingSince"/>:
    /// reports sent while no scheduler ran wait on the progress topic, and a scheduler that just started has not read
    /// them yet.
    /// </summary>
    public static DateTimeOffset LastHeard(SliceRecord slice, DateTimeOffset watchingSince)
    {
        ArgumentNullException.ThrowIfNull(slice);
        var heard = slice.ProgressAt ?? slice.UpdatedAt;
        return heard > watchingSince ? heard : watchingSince;
    }

    /// <param name="watchingSince">When this scheduler started watching (see <see cref="LastHeard"/>).</param>
    public static bool IsStuck(SliceRecord slice, DateTimeOffset now, TimeSpan stuckAfter, DateTimeOffset watchingSince)
    {
        ArgumentNullException.ThrowIfNull(slice);
        return slice.State is SliceState.Released or SliceState.Running && now - LastHeard(slice, watchingSince) >= stuckAfter;
    }

    /// <summary>
    /// The longest a step of <paramref name="platform"/> can go without a report, as far as configuration bounds it:
    /// its pages' calls (a list call and a detail call per 50 orders) each timing out on every attempt with the longest
    /// waits between, a page asked again after each throttle it may meet (at least the throttle's pause), and one
    /// cool-off of the platform's breaker. Unbounded by configuration, so not in it: waiting for the rate limit's
    /// permits, a platform's <c>Retry-After</c> beyond the pause, and a step queued behind others on its lane's partition.
    /// <see cref="BackfillOptions.StuckAfter"/> must be larger, with room for those. When the fleet refreshes tokens, a
    /// step may also wait <paramref name="tokenWait"/> once for a newer token: a token lives hours, a step minutes, so one
    /// expiry a step (a call waits again only when the newer token is refused too, the rare case its bound is for).
    /// </summary>
    public static TimeSpan LongestStep(PlatformOptions platform, int pagesPerStep, int throttleRetries, TimeSpan tokenWait = default)
    {
        ArgumentNullException.ThrowIfNull(platform);
        var attempts = Math.Max(1, platform.Retry.MaxAttempts);
        var waits = Enumerable.Range(0, attempts - 1).Aggregate(TimeSpan.Zero, (sum, retry) => sum + RetryBackoff.Delay(retry, platform.Retry, 1));
        var call = (platform.Timeout * attempts) + waits;
        // A kind not known (not validated yet) is given the most any adapter makes.
        var callsPerPage = PlatformKinds.Find(platform.Kind)?.CallsInTurnPerPage(platform) ?? PlatformKinds.Adapters.Max(a => a.CallsInTurnPerPage(platform));
        var page = (call * callsPerPage) + (platform.RateLimit.Throttle.MinPause * Math.Max(0, throttleRetries));
        return (page * Math.Max(1, pagesPerStep)) + platform.RateLimit.Throttle.CoolOff + tokenWait;
    }
}
