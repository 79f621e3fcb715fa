namespace Backfill.Simulators.Lazada;

/// <summary>
/// A quota of calls for the whole app per period: the period's windows start at local midnight of
/// <see cref="ResetTimeZone"/> and repeat every <see cref="Period"/>; a window that would run past the next midnight ends
/// there.
/// </summary>
public sealed class LazadaQuota
{
    /// <summary>Calls admitted in one window; at least 1.</summary>
    public long Calls { get; set; }

    /// <summary>The length of a window; more than zero and at most one day.</summary>
    public TimeSpan Period { get; set; }

    /// <summary>The IANA zone whose local midnight starts the windows, e.g. <c>Asia/Singapore</c>. Default <c>UTC</c>.</summary>
    public string ResetTimeZone { get; set; } = "UTC";

    public override string ToString() => $"{Calls} per {Period} from midnight {ResetTimeZone}";

    internal TimeZoneInfo Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Calls, 1, "Quotas[].Calls");
        if (Period <= TimeSpan.Zero || Period > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException("Quotas[].Period", Period, "must be more than zero and at most one day");
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(ResetTimeZone);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            throw new ArgumentException($"Quotas[].ResetTimeZone '{ResetTimeZone}' is not a known time zone (an IANA name such as Asia/Singapore).", "Quotas[].ResetTimeZone", e);
        }
    }
}
