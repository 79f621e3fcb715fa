using Backfill.Core.Jobs;

namespace Backfill.Platforms;

/// <summary>
/// Picks which pending slices a release sends and on which budget lanes, so that every lane keeps work (the fleet then
/// uses its whole budget) and no shop crowds out the others (R8): the next slice is the earliest one of the shop with the
/// fewest slices in flight; it goes to the lane with the fewest slices in flight, or, when shops keep their lane (a
/// per-shop limit), the candidate whose lane is least busy goes first.
/// </summary>
public static class LaneChooser
{
    /// <param name="pending">Candidates in release order (earliest day first).</param>
    /// <param name="inFlight">Released or running slices of the platform, of every job.</param>
    /// <param name="lanes">Lanes of the platform's budget.</param>
    /// <param name="stickyLane">The fixed lane of a shop, or null when any lane may take any slice.</param>
    public static IReadOnlyList<(SliceRecord Slice, int Lane)> Choose(
        IReadOnlyList<SliceRecord> pending, IEnumerable<SliceRecord> inFlight, int lanes, Func<string, int>? stickyLane, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        var laneLoad = new int[lanes];
        var shopLoad = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var slice in inFlight)
        {
            if (slice.Lanes == lanes && slice.Lane >= 0 && slice.Lane < lanes)
            {
                laneLoad[slice.Lane]++;
            }

            shopLoad[slice.Shop] = shopLoad.GetValueOrDefault(slice.Shop) + 1;
        }

        var left = pending.Select((slice, order) => (Slice: slice, Order: order)).ToList();
        var chosen = new List<(SliceRecord, int)>(Math.Min(count, left.Count));
        while (chosen.Count < count && left.Count > 0)
        {
            var next = left
                .OrderBy(c => stickyLane is null ? 0 : laneLoad[stickyLane(c.Slice.Shop)])
                .ThenBy(c => shopLoad.GetValueOrDefault(c.Slice.Shop))
                .ThenBy(c => c.Order)
                .First();
            var lane = stickyLane?.Invoke(next.Slice.Shop) ?? LeastLoaded(laneLoad);
            left.Remove(next);
            laneLoad[lane]++;
            shopLoad[next.Slice.Shop] = shopLoad.GetValueOrDefault(next.Slice.Shop) + 1;
            chosen.Add((next.Slice, lane));
        }

        return chosen;
    }

    private static int LeastLoaded(int[] load)
    {
        var best = 0;
        for (var lane = 1; lane < load.Length; lane++)
        {
            if (load[lane] < load[best])
            {
                best = lane;
            }
        }

        return best;
    }
}
