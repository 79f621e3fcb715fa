namespace Backfill.Core.Slicing;

/// <summary>Calendar days in an IANA time zone, turned into instants.</summary>
public static class DayClock
{
    /// <summary>
    /// The first instant of <paramref name="day"/> in <paramref name="zone"/>. Where midnight does not exist
    /// (a DST jump at 00:00) the day starts at the first local time that does; where midnight happens twice,
    /// at the first of them.
    /// </summary>
    /// <exception cref="InvalidRangeException">A day before <see cref="Slicer.FirstDay"/>, whose start may be no instant at all.</exception>
    public static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        if (day < Slicer.FirstDay)
        {
            throw new InvalidRangeException($"Days from {Slicer.FirstDay:yyyy-MM-dd} on are supported (got {day:yyyy-MM-dd}).");
        }

        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(1);
        }

        var offset = zone.IsAmbiguousTime(local)
            ? zone.GetAmbiguousTimeOffsets(local).Max()
            : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset);
    }

    /// <summary>Today's calendar day in <paramref name="zone"/>.</summary>
    public static DateOnly Today(TimeProvider time, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow(), zone).DateTime);

    /// <summary>Resolves an IANA id with a message that names the configuration key when it is unknown.</summary>
    public static TimeZoneInfo Zone(string ianaId, string key = "Backfill:TimeZone")
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(ianaId);
        }
        catch (TimeZoneNotFoundException)
        {
            throw new InvalidRangeException($"{key}: unknown time zone '{ianaId}' (use an IANA id such as UTC, Asia/Taipei or Europe/Berlin).");
        }
        catch (InvalidTimeZoneException)
        {
            throw new InvalidRangeException($"{key}: time zone '{ianaId}' could not be read on this machine.");
        }
    }
}
