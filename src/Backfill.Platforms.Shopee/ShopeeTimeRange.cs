namespace Backfill.Platforms.Shopee;

/// <summary>
/// Our slices are half-open, <c>[From, To)</c>; the platform's time_from/time_to are inclusive unix seconds.
/// Order times are whole seconds, so the seconds inside a slice are ceil(From) .. ceil(To) − 1.
/// </summary>
public static class ShopeeTimeRange
{
    /// <summary>The platform's longest list range (time_to − time_from).</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(15);

    internal static (long TimeFrom, long TimeTo) ToInclusiveSeconds(DateTimeOffset from, DateTimeOffset to) =>
        (CeilingSeconds(from), CeilingSeconds(to) - 1);

    private static long CeilingSeconds(DateTimeOffset instant)
    {
        var seconds = instant.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(seconds) < instant ? seconds + 1 : seconds;
    }
}
