using Backfill.Platforms;

namespace Backfill.Scheduling;

/// <summary>
/// How many slices of a platform may be in flight: <see cref="BackfillOptions.MaxInFlightPerPlatform"/>, raised to what
/// keeps the platform's lanes busy at the latency its workers report (<see cref="LanePlan.SlicesToKeepBusy"/>): at R = 200/s
/// and 300 ms about 270 slices, where the default is 32. A slice holds one action at a time and the lanes' windows, not
/// the cap, decide when calls start, so a raised cap adds slices waiting for their lane, never calls. A latency above
/// <see cref="MaxLatency"/> is a failing platform rather than a slow one and raises the cap no further. The lag gate
/// (<see cref="BackfillOptions.MaxActionLag"/>) rises by as much as the cap: every slice in flight may wait on the action
/// topic for its worker's step place, so a cap raised above the lag gate would otherwise be held by it.
/// </summary>
public static class InFlightCap
{
    public static readonly TimeSpan MaxLatency = TimeSpan.FromSeconds(5);

    /// <param name="configured">Backfill:MaxInFlightPerPlatform.</param>
    /// <param name="plan">The platform's lanes.</param>
    /// <param name="latency">The calls' latency the workers report; null before any report.</param>
    public static int Of(int configured, LanePlan plan, TimeSpan? latency)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return latency is { } measured && measured > TimeSpan.Zero
            ? Math.Max(configured, plan.SlicesToKeepBusy(measured < MaxLatency ? measured : MaxLatency))
            : configured;
    }

    /// <summary>
    /// The action lag above which the platform's releases are held: <paramref name="maxActionLag"/>, plus what the cap rose
    /// above the configured one. The headroom the operator set beyond the slices in flight stays what it was.
    /// </summary>
    /// <param name="maxActionLag">Backfill:MaxActionLag.</param>
    /// <param name="configured">Backfill:MaxInFlightPerPlatform.</param>
    /// <param name="cap">The cap in force (<see cref="Of"/>).</param>
    public static long LagLimit(long maxActionLag, int configured, int cap) => maxActionLag + Math.Max(0, cap - configured);
}
