namespace Backfill.Core.Slicing;

/// <summary>Cuts a half-open range of calendar days into slices (R1: day slices, released gradually).</summary>
public static class Slicer
{
    /// <summary>The longest range one job may cover; longer asks are almost always a typo.</summary>
    public const int MaxDays = 3660;

    /// <summary>
    /// Slices <c>[from, to)</c> into windows of <paramref name="daysPerSlice"/> days (the last one may be shorter).
    /// </summary>
    /// <exception cref="InvalidRangeException">Reversed, empty or absurdly long ranges, or a slice size below one day.</exception>
    public static IReadOnlyList<SliceWindow> Slice(DateOnly from, DateOnly to, TimeZoneInfo zone, int daysPerSlice = 1)
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
            throw new InvalidRangeException($"The range is empty: --from and --to are both {from:yyyy-MM-dd}, and --to is exclusive. For that one day use --to {from.AddDays(1):yyyy-MM-dd}.");
        }

        var days = to.DayNumber - from.DayNumber;
        if (days > MaxDays)
        {
            throw new InvalidRangeException($"The range covers {days} days; at most {MaxDays} are allowed in one job.");
        }

        var windows = new List<SliceWindow>((days + daysPerSlice - 1) / daysPerSlice);
        for (var first = from; first < to; first = first.AddDays(daysPerSlice))
        {
            var end = first.AddDays(daysPerSlice);
            if (end > to)
            {
                end = to;
            }

            windows.Add(new SliceWindow(first, end, DayClock.StartOf(first, zone), DayClock.StartOf(end, zone)));
        }

        return windows;
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
