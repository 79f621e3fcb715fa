using Backfill.Core.Jobs;

namespace Backfill.Platforms;

/// <summary>
/// Picks which pending slices a release sends and on which budget lanes, so that every lane keeps work (the fleet then
/// uses its whole budget) and no shop crowds out the others (R8): the next slice is the earliest one of the shop with the
/// fewest slices in flight; it goes to the lane with the fewest slices in flight, or, when a shop's slices keep to the
/// shop's own lanes (a per-shop limit, <see cref="LanePlan.LanesOf"/>), to the one of those with the fewest slices of the
/// shop, then of all shops, in flight (the first in the shop's order among equals), and the candidate whose shop has the
/// least busy such lane goes first. Each of a shop's lanes holds only its part of the shop's limit, so one shop's slices
/// fill all its lanes, and several shops spread over the lanes they share.
/// </summary>
public static class LaneChooser
{
    /// <param name="pending">Candidates in release order (earliest day first).</param>
    /// <param name="inFlight">Released or running slices of the platform, of every job.</param>
    /// <param name="lanes">Lanes of the platform's budget.</param>
    /// <param name="shopLanes">The lanes a shop may use, in its order, or null when any lane may take any slice.</param>
    public static IReadOnlyList<(SliceRecord Slice, int Lane)> Choose(
        IReadOnlyList<SliceRecord> pending, IEnumerable<SliceRecord> inFlight, int lanes, Func<string, IReadOnlyList<int>>? shopLanes, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        var laneLoad = new int[lanes];
        var shopLoad = new Dictionary<string, int>(StringComparer.Ordinal);
        var pairLoad = new Dictionary<(string Shop, int Lane), int>();
        foreach (var slice in inFlight)
        {
            if (slice.Lanes == lanes && slice.Lane >= 0 && slice.Lane < lanes)
            {
                laneLoad[slice.Lane]++;
                pairLoad[(slice.Shop, slice.Lane)] = pairLoad.GetValueOrDefault((slice.Shop, slice.Lane)) + 1;
            }

            shopLoad[slice.Shop] = shopLoad.GetValueOrDefault(slice.Shop) + 1;
        }

        var allLanes = Enumerable.Range(0, lanes).ToList();
        var lanesOf = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
        IReadOnlyList<int> LanesOf(string shop)
        {
            if (shopLanes is null)
            {
                return allLanes;
            }

            if (!lanesOf.TryGetValue(shop, out var own))
            {
                own = shopLanes(shop);
                lanesOf[shop] = own;
            }

            return own;
        }

        var left = pending.Select((slice, order) => (Slice: slice, Order: order)).ToList();
        var chosen = new List<(SliceRecord, int)>(Math.Min(count, left.Count));
        while (chosen.Count < count && left.Count > 0)
        {
            (int Pair, int Lane) Load(string shop, int lane) => (shopLanes is null ? 0 : pairLoad.GetValueOrDefault((shop, lane)), laneLoad[lane]);
            int Best(string shop)
            {
                var own = LanesOf(shop);
                var best = own[0];
                foreach (var lane in own)
                {
                    if (Load(shop, lane).CompareTo(Load(shop, best)) < 0)
                    {
                        best = lane;
                    }
                }

                return best;
            }

            var next = left
                .OrderBy(c => shopLanes is null ? 0 : laneLoad[Best(c.Slice.Shop)])
                .ThenBy(c => shopLoad.GetValueOrDefault(c.Slice.Shop))
                .ThenBy(c => c.Order)
                .First();
            var lane = Best(next.Slice.Shop);
            left.Remove(next);
            laneLoad[lane]++;
            pairLoad[(next.Slice.Shop, lane)] = pairLoad.GetValueOrDefault((next.Slice.Shop, lane)) + 1;
            shopLoad[next.Slice.Shop] = shopLoad.GetValueOrDefault(next.Slice.Shop) + 1;
            chosen.Add((next.Slice, lane));
        }

        return chosen;
    }
}
