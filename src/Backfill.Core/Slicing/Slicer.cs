namespace Backfill.Core.Slicing;

/// <summary>Cuts a half-open range of calendar days into slices (R1: day slices, released gradually).</summary>
public static class Slicer
{
    /// <summary>The longest range one job may cover; longer asks are almost always a typo.</summary>
    public const int MaxDays = 3660;

    /// <summary>
    /// The earliest day a job may cover. The midnight of 0001-01-01 east of Greenwich is before the first instant a
    /// <see cref="DateTimeOffset"/> holds; from the day after, every zone's midnight is one (offsets stay within ±16 h).
    /// </summary>
    public static readonly DateOnly FirstDay = new(1, 1, 2);

    /// <summary>The latest day a job may cover: its end, 9999-12-31 (exclusive), is the last day there is.</summary>
    public static readonly DateOnly LastDay = new(9999, 12, 30);

    /// <summary>
    /// Slices <c>[from, to)</c> into windows of <paramref name="daysPerSlice"/> days (the last one may be shorter).
    /// </summary>
    /// <exception cref="InvalidRangeException">Reversed, empty, absurdly long or unsupported ranges, or a slice size below one day.</exception>
    public static IReadOnlyList<SliceWindow> Slice(DateOnly from, DateOnly to, TimeZoneInfo zone, int daysPerSlice = 1)
    {
        var count = Count(from, to, daysPerSlice);
        var windows = new List<SliceWindow>(count);
        for (var first = from; first < to; first = first.AddDays(daysPerSlice))
        {
            // Never past `to`, so the last window of a range ending on the last day there is does not overflow.
            var end = to.DayNumber - first.DayNumber <= daysPerSlice ? to : first.AddDays(daysPerSlice);
            windows.Add(new SliceWindow(first, end, DayClock.StartOf(first, zone), DayClock.StartOf(end, zone)));
            if (end == to)
            {
                break;
            }
        }

        return windows;
    }

    /// <summary>
    /// How many windows <see cref="Slice"/> cuts <c>[from, to)</c> into, counted without cutting: what a job of those
    /// days would cost is known before anything is built.
    /// </summary>
    /// <exception cref="InvalidRangeException">As <see cref="Slice"/>.</exception>
    public static int Count(DateOnly from, DateOnly to, int daysPerSlice = 1)
    {
        if (daysPerSlice < 1)
        {
            throw new InvalidRangeException($"Slice size must be at least 1 day (got {daysPerSlice}).");
        }

        if (to < from)
        {
            throw new InvalidRangeException($"The range is reversed: --from {from:yyyy-MM-dd} is after --to {to:yyyy-MM-dd} (--to is exclusive).");
        }

        if (to == from)
        {
            throw new InvalidRangeException($"The range is empty: --from and --to are both {from:yyyy-MM-dd}, and --to is exclusive. For that one day use --to {(from < DateOnly.MaxValue ? from.AddDays(1) : from):yyyy-MM-dd}.");
        }

        if (from < FirstDay || to > LastDay.AddDays(1))
        {
            throw new InvalidRangeException($"Days from {FirstDay:yyyy-MM-dd} to {LastDay:yyyy-MM-dd} are supported (--from {FirstDay:yyyy-MM-dd} at the earliest, --to {LastDay.AddDays(1):yyyy-MM-dd} at the latest); got --from {from:yyyy-MM-dd}.");
        }

        var days = to.DayNumber - from.DayNumber;
        if (days > MaxDays)
        {
            throw new InvalidRangeException($"The range covers {days} days; at most {MaxDays} are allowed in one job.");
        }

        return (days + daysPerSlice - 1) / daysPerSlice;
    }

    /// <summary>The <paramref name="days"/> whole days before today in <paramref name="zone"/>: <c>[today − days, today)</c>.</summary>
    public static (DateOnly From, DateOnly To) LastDays(int days, TimeProvider time, TimeZoneInfo zone)
    {
        if (days < 1)
        {
            throw new InvalidRangeException($"--days must be at least 1 (got {days}).");
        }

        var today = DayClock.Today(time, zone);
        return (today.AddDays(-days), today);
    }
}
