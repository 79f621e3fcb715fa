namespace Backfill.Platforms.Configuration;

/// <summary>
/// A quota: at most <see cref="Calls"/> calls of the app per period, bound from an entry of
/// <c>Platforms:{name}:RateLimit:Quotas</c>. A period's windows start at local midnight of <see cref="ResetTimeZone"/> and
/// repeat every <see cref="Period"/> (the last of a day ends at the next midnight).
/// </summary>
public sealed class QuotaOptions
{
    /// <summary>Calls the platform allows the app per period. Required, at least 1.</summary>
    public long Calls { get; set; }

    /// <summary>The period's length, from 1 second to 1 day. Default 1 day.</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromDays(1);

    /// <summary>The IANA time zone whose midnight starts the periods (<c>Asia/Singapore</c>). Default <c>UTC</c>.</summary>
    public string ResetTimeZone { get; set; } = "UTC";

    public override string ToString() => $"{Calls} per {Period} from midnight {ResetTimeZone}";
}
