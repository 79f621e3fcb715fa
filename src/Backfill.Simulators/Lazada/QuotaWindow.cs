namespace Backfill.Simulators.Lazada;

/// <summary>
/// One window of a quota, <c>[Start, End)</c>: windows start at local midnight of the quota's zone and repeat every period;
/// the last window of a local day ends at the next local midnight even when the period does not divide the day.
/// </summary>
internal readonly record struct QuotaWindow(DateTimeOffset Start, DateTimeOffset End)
{
    public static QuotaWindow At(DateTimeOffset now, TimeSpan period, TimeZoneInfo zone)
    {
        var localDate = TimeZoneInfo.ConvertTime(now, zone).Date;
        var midnight = Midnight(localDate, zone);
        var nextMidnight = Midnight(localDate.AddDays(1), zone);
        var start = midnight + (period * ((now - midnight).Ticks / period.Ticks));
        var end = start + period;
        return new QuotaWindow(start, end < nextMidnight ? end : nextMidnight);
    }

    private static DateTimeOffset Midnight(DateTime localDate, TimeZoneInfo zone) =>
        new(DateTime.SpecifyKind(localDate, DateTimeKind.Unspecified), zone.GetUtcOffset(DateTime.SpecifyKind(localDate, DateTimeKind.Unspecified)));
}
