namespace Backfill.Simulators;

/// <summary>
/// What a platform's limits allow a job from its first call on, while its shops have calls to make: ∫ min(R, S · n(t)) dt,
/// n(t) the shops whose latest call comes after t. Shops with unequal work finish apart: once one is done, the others'
/// limits allow less than min(R, shops × S), and no fleet can make a finished shop's calls. A shop the fleet starves
/// keeps counting until its late last call, so a slow shop is not excused.
/// </summary>
public static class AllowedCalls
{
    /// <param name="from">The job's first call.</param>
    /// <param name="lastCalls">Each shop's latest call.</param>
    /// <param name="rate">The platform's limit R, calls per second.</param>
    /// <param name="perShop">The per-shop limit S, calls per second.</param>
    public static double From(DateTimeOffset from, IEnumerable<DateTimeOffset> lastCalls, double rate, double perShop)
    {
        ArgumentNullException.ThrowIfNull(lastCalls);
        var ends = lastCalls.Where(end => end > from).Order().ToList();
        var allowed = 0.0;
        var start = from;
        for (var i = 0; i < ends.Count; i++)
        {
            var busy = ends.Count - i;
            allowed += Math.Min(rate, perShop * busy) * (ends[i] - start).TotalSeconds;
            start = ends[i];
        }

        return allowed;
    }
}
