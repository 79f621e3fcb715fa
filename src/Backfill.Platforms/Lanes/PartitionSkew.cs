using System.Globalization;

namespace Backfill.Platforms;

/// <summary>
/// When one action partition carries far more than the others (R8: a busy key on one partition, one consumer at
/// 100%, the rest idle). The rule: a platform with at least two lanes is skewed when its busiest lane's figure is at
/// least <c>minimum</c> and more than <see cref="Factor"/> times the median of all its lanes (idle lanes count as 0;
/// a median under 1 counts as 1). The floor keeps a small job on one lane from raising a warning.
/// </summary>
public static class PartitionSkew
{
    /// <summary>How many times the median the busiest lane must exceed.</summary>
    public const double Factor = 4;

    /// <summary>Pages in <see cref="LoadWindow"/> below which a lane's load is never called a skew.</summary>
    public const long MinimumPages = 50;

    /// <summary>Waiting action messages below which a partition's lag is never called a skew.</summary>
    public const long MinimumLag = 20;

    /// <summary>Load is judged on the pages of this recent window, so a skew that ended stops being reported.</summary>
    public static readonly TimeSpan LoadWindow = TimeSpan.FromMinutes(5);

    /// <summary>The skew among <paramref name="lanes"/> as a plain sentence, or null.</summary>
    /// <param name="what">What the figures count, e.g. "pages in the last 5 min".</param>
    /// <param name="lanes">Each lane's figure with its partition (null when not known yet).</param>
    public static string? Of(string what, IReadOnlyList<(int Lane, int? Partition, long Value)> lanes, long minimum)
    {
        ArgumentNullException.ThrowIfNull(lanes);
        if (lanes.Count < 2)
        {
            return null;
        }

        var busiest = lanes.MaxBy(l => l.Value);
        var median = Math.Max(1, Median([.. lanes.Select(l => l.Value)]));
        if (busiest.Value < minimum || busiest.Value <= Factor * median)
        {
            return null;
        }

        var where = busiest.Partition is { } p ? $"partition {p} (lane {busiest.Lane})" : $"lane {busiest.Lane}";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{where} has {busiest.Value} {what}, {busiest.Value / median:0.#}× the median lane ({median:0.#}) of {lanes.Count}: one lane carries most of the work (a slice with far more pages than the others on its lane, or a busy shop with few lanes under a per-shop limit)");
    }

    private static double Median(long[] values)
    {
        Array.Sort(values);
        var mid = values.Length / 2;
        return values.Length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
    }
}
