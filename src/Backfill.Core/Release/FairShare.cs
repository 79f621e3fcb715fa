using Backfill.Core.Jobs;

namespace Backfill.Core.Release;

/// <summary>
/// Shares a platform's room for slices in flight among the jobs that want to release (R1, R8). The room goes one slice
/// at a time to the wanting job with the fewest slices in flight per unit of <see cref="Weight"/> (ties: higher priority,
/// then the older job), so jobs converge to shares in proportion to their weights within one slice's time, whatever
/// their sizes: a small job started behind a large one gets its share as soon as the large job's slices finish. A job
/// with nothing in flight is first in line, so even a low-priority job always has a slice in flight: it is never starved.
/// Room nobody else wants goes to whoever wants it: the platform never idles for fairness.
/// </summary>
public static class FairShare
{
    /// <summary>High 8, normal 4, low 1: beside a high job, a low one gets a ninth of the slices in flight.</summary>
    public static int Weight(JobPriority priority) => priority switch
    {
        JobPriority.High => 8,
        JobPriority.Low => 1,
        _ => 4,
    };

    /// <summary>Slices each contender may release now, in the contenders' order; the sum is at most <paramref name="room"/>.</summary>
    public static int[] Allocate(IReadOnlyList<Contender> contenders, int room)
    {
        ArgumentNullException.ThrowIfNull(contenders);
        var given = new int[contenders.Count];
        for (var left = room; left > 0; left--)
        {
            var best = -1;
            for (var i = 0; i < contenders.Count; i++)
            {
                if (given[i] < contenders[i].Wants && (best < 0 || Before(contenders[i], given[i], contenders[best], given[best])))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                break;
            }

            given[best]++;
        }

        return given;
    }

    /// <summary>Whether <paramref name="a"/> comes before <paramref name="b"/>: fewer in flight per weight (compared without division), then higher weight, then listed first.</summary>
    private static bool Before(Contender a, int givenA, Contender b, int givenB)
    {
        var (wa, wb) = (Weight(a.Priority), Weight(b.Priority));
        var load = ((long)(a.InFlight + givenA) * wb).CompareTo((long)(b.InFlight + givenB) * wa);
        return load < 0 || (load == 0 && wa > wb);
    }
}

/// <summary>A job wanting room: its priority, its slices in flight, and how many more it wants (and has candidates for).</summary>
public sealed record Contender(string Job, JobPriority Priority, int InFlight, int Wants);
