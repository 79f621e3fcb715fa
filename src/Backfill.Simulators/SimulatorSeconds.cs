namespace Backfill.Simulators;

/// <summary>
/// The calls the limit admitted in each whole second from the first admitted call on, and the ones it refused: where in a
/// run the platform's budget went unused (the start, the steady pace, the last calls). Token refreshes count, as they
/// count against the limit.
/// </summary>
/// <param name="From">When the first admitted call arrived; null before any.</param>
/// <param name="Accepted">Admitted calls in second i after <paramref name="From"/>.</param>
/// <param name="Refused">Calls refused (by the limit, a storm or a forced throttle) in the same seconds.</param>
public sealed record SimulatorSeconds(DateTimeOffset? From, IReadOnlyList<int> Accepted, IReadOnlyList<int> Refused)
{
    /// <summary>Counts <paramref name="calls"/> by the second they arrived in, in whatever order they were logged.</summary>
    public static SimulatorSeconds Of(IReadOnlyList<SimulatorCall> calls)
    {
        ArgumentNullException.ThrowIfNull(calls);
        var first = calls.Where(IsAdmitted).Select(c => (DateTimeOffset?)c.At).Min();
        if (first is not { } from)
        {
            return new SimulatorSeconds(null, [], []);
        }

        var accepted = new List<int>();
        var refused = new List<int>();
        foreach (var call in calls)
        {
            if (call.At < from)
            {
                continue;
            }

            var second = (int)((call.At - from).Ticks / TimeSpan.TicksPerSecond);
            while (accepted.Count <= second)
            {
                accepted.Add(0);
                refused.Add(0);
            }

            if (IsAdmitted(call))
            {
                accepted[second]++;
            }
            else
            {
                refused[second]++;
            }
        }

        return new SimulatorSeconds(from, accepted, refused);
    }

    /// <summary>
    /// Where the calls a rate of <paramref name="rate"/> allowed over these seconds went unused: the seconds before the
    /// first one that admitted at least <paramref name="full"/> of the rate (the ramp), those after the last such second
    /// (the tail), and the steady part between. Each loss is the part's unused calls over all the seconds' allowed calls,
    /// so the three add up to 1 − accepted ÷ (seconds × rate).
    /// </summary>
    public RateProfile Profile(double rate, double full = 0.9)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        var threshold = rate * full;
        var first = Accepted.Count;
        var last = -1;
        for (var i = 0; i < Accepted.Count; i++)
        {
            if (Accepted[i] >= threshold)
            {
                first = Math.Min(first, i);
                last = i;
            }
        }

        var allowed = rate * Accepted.Count;
        double Lost(int from, int to) => allowed > 0 ? Enumerable.Range(from, Math.Max(0, to - from)).Sum(i => rate - Accepted[i]) / allowed : 0;
        var steadyFrom = first;
        var tailFrom = Math.Max(steadyFrom, last + 1);
        var steadySeconds = tailFrom - steadyFrom;
        return new RateProfile(
            steadyFrom,
            Accepted.Count - tailFrom,
            steadySeconds > 0 ? Enumerable.Range(steadyFrom, steadySeconds).Sum(i => Accepted[i]) / (double)steadySeconds : 0,
            Lost(0, steadyFrom),
            Lost(steadyFrom, tailFrom),
            Lost(tailFrom, Accepted.Count));
    }

    private static bool IsAdmitted(SimulatorCall call) => call.Outcome is not ("refused" or "throttled");
}

/// <summary>A run's admitted calls by part (<see cref="SimulatorSeconds.Profile"/>).</summary>
/// <param name="RampSeconds">Seconds before the first one at the full rate.</param>
/// <param name="TailSeconds">Seconds after the last one at the full rate.</param>
/// <param name="SteadyRate">Calls per second between them.</param>
/// <param name="RampLoss">The ramp's unused calls, as a share of all the seconds' allowed calls.</param>
/// <param name="SteadyLoss">The steady part's, likewise.</param>
/// <param name="TailLoss">The tail's, likewise.</param>
public sealed record RateProfile(int RampSeconds, int TailSeconds, double SteadyRate, double RampLoss, double SteadyLoss, double TailLoss);
