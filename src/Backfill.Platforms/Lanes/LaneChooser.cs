using Backfill.Core.Jobs;

namespace Backfill.Platforms;

/// <summary>
/// Picks which pending slices a release sends and on which budget lanes, so that every lane keeps work (the fleet then
/// uses its whole budget) and no shop crowds out the others (R8): the next slice is the earliest one of the shop with the
/// fewest slices in flight; it goes to the least busy lane, or, when a shop's slices keep to the shop's own lanes (a
/// per-shop limit, <see cref="LanePlan.LanesOf"/>), to the one of those with the fewest slices of the shop in flight, then
/// the least busy (the first in the shop's order among equals), and the candidate whose shop has the least busy such lane
/// goes first. Each of a shop's lanes holds only its part of the shop's limit, so one shop's slices fill all its lanes,
/// and several shops spread over the lanes they share.
/// <para>
/// How busy a lane is weighs its slices in flight by its share of the calls: the lane where one more slice makes the
/// fewest per call of its share (every lane still gets a slice before any gets a second, as shares differ by at most one).
/// A lane that makes 3 calls a window works through its slices half again as fast as one that makes 2, so it holds half
/// again as many: the lanes run out of work together when the job's last slices are out, instead of the smaller lanes
/// finishing last while the larger ones stand idle.
/// </para>
/// </summary>
public static class LaneChooser
{
    /// <param name="pending">Candidates in release order (earliest day first).</param>
    /// <param name="inFlight">Released or running slices of the platform, of every job.</param>
    /// <param name="lanes">Lanes of the platform's budget.</param>
    /// <param name="shopLanes">The lanes a shop may use, in its order, or null when any lane may take any slice.</param>
    /// <param name="shares">Each lane's calls per window (<see cref="LanePlan.Share"/>); null when they are equal.</param>
    public static IReadOnlyList<(SliceRecord Slice, int Lane)> Choose(
        IReadOnlyList<SliceRecord> pending, IEnumerable<SliceRecord> inFlight, int lanes, Func<string, IReadOnlyList<int>>? shopLanes, int count, IReadOnlyList<int>? shares = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(lanes, 1);
        if (shares is not null && (shares.Count != lanes || shares.Any(share => share < 1)))
        {
            throw new ArgumentException($"{lanes} lanes need {lanes} shares of at least one call, not [{string.Join(", ", shares)}]", nameof(shares));
        }

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
            // How busy a lane would be with one more slice: its slices per call of its share (equal fractions of small
            // integers divide to the same double, so ties stay ties); among equals, the lane with fewer slices.
            double Busy(int lane) => (laneLoad[lane] + 1) / (double)(shares?[lane] ?? 1);

            int Compare(string shop, int a, int b)
            {
                var pair = shopLanes is null ? 0 : pairLoad.GetValueOrDefault((shop, a)).CompareTo(pairLoad.GetValueOrDefault((shop, b)));
                var busy = pair != 0 ? pair : Busy(a).CompareTo(Busy(b));
                return busy != 0 ? busy : laneLoad[a].CompareTo(laneLoad[b]);
            }

            int Best(string shop)
            {
                var own = LanesOf(shop);
                var best = own[0];
                foreach (var lane in own)
                {
                    if (Compare(shop, lane, best) < 0)
                    {
                        best = lane;
                    }
                }

                return best;
            }

            var next = left
                .OrderBy(c => shopLanes is null ? 0 : Busy(Best(c.Slice.Shop)))
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
