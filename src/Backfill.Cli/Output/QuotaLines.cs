using System.Globalization;
using Backfill.Scheduling;

namespace Backfill.Cli.Output;

/// <summary>A platform's quotas as text: whether the backfill share is spent and until when, and each quota's use in its window.</summary>
internal static class QuotaLines
{
    /// <summary>"quota spent, resumes at …" while it is, then one line per quota; nothing for a platform without quotas.</summary>
    public static IEnumerable<string> Of(PlatformStatus platform)
    {
        ArgumentNullException.ThrowIfNull(platform);
        if (platform.QuotaSpentUntil is { } until)
        {
            yield return $"{platform.Platform}: quota spent, resumes at {Time(until)}";
        }

        foreach (var quota in platform.Quotas)
        {
            yield return $"{platform.Platform} quota: {quota.Granted}/{quota.Usable} granted of {quota.Calls} calls per {quota.Period.ToString("c", CultureInfo.InvariantCulture)}, window ends {Time(quota.WindowEnd)}";
        }
    }

    // A day's quota resets at a zone's midnight: the date and offset say which.
    private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture);
}
