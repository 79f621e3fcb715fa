using System.Globalization;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Backfill.Scheduling;

namespace Backfill.Hosting.Diagnostics;

/// <summary>
/// What a platform's latency costs and needs (docs/rate-budget.md, "Counting"): the rate its lanes reach, and the slices
/// the scheduler must keep in flight for it. A slice runs one step, so one call, at a time; calls are under way for the
/// latency ℓ and the lanes start up to their calls per window T, so the fleet keeps its lanes busy with about
/// rate · (T + ℓ) slices, plus one waiting per lane.
/// </summary>
public static class ConcurrencyAdvice
{
    /// <summary>The calls per second the lanes reach at <paramref name="latency"/>: LaneCalls per (T + ℓ) strict, per (T + jitter) on arrival.</summary>
    public static double Reachable(LanePlan plan, TimeSpan latency)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var held = plan.Counting.OnArrival ? plan.Window + plan.Counting.Jitter : plan.Window + latency;
        return plan.LaneCalls / held.TotalSeconds;
    }

    /// <summary>"counted strict: at 300 ms the lanes reach 15.4 calls/s (0.77 of 20/s)", and, when the cap is too low, what to set.</summary>
    public static (string Text, bool CapTooLow) Describe(string platform, LanePlan plan, TimeSpan latency, int maxInFlight)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var reachable = Reachable(plan, latency);
        var counting = plan.Counting.OnArrival
            ? $"counted on arrival (jitter {plan.Counting.Jitter.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms)"
            : "counted strict (RateLimit:Counting Strict: from a call's start to one window after its answer)";
        var text = string.Create(
            CultureInfo.InvariantCulture,
            $"Budget {plan.Calls} calls per {plan.Window.TotalSeconds:0.###} s in {plan.Lanes} lane(s), {counting}: at this latency the lanes reach {reachable:0.#} calls/s ({reachable * plan.Window.TotalSeconds / plan.Calls:0.00} of the budget).");
        if (!plan.Counting.OnArrival && latency >= TimeSpan.FromMilliseconds(100))
        {
            text += $" If {platform} counts a call when its request arrives, Platforms:{platform}:RateLimit:Counting Arrival reaches {plan.LaneCalls / (plan.Window + new RateLimitOptions().ArrivalJitter).TotalSeconds:0.#}/s at any latency.";
        }

        var needed = plan.SlicesToKeepBusy(latency);
        if (needed <= maxInFlight)
        {
            return (text, false);
        }

        return (text + $" To keep the lanes busy at this latency the scheduler needs about {needed} slices in flight, more than Backfill:MaxInFlightPerPlatform ({maxInFlight}): " +
            $"it raises its cap to that by itself once workers report their calls' latency ({InFlightCap.MaxLatency.TotalSeconds:0} s at most counted); set the option to {needed} to start there.", true);
    }
}
