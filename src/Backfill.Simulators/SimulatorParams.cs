using System.Globalization;
using Backfill.Platforms.Shopee;
using Microsoft.AspNetCore.Http;

namespace Backfill.Simulators;

/// <summary>The platform's rules for the parameters its list endpoints share: a time range and a page size.</summary>
internal static class SimulatorParams
{
    public const int MaxPageSize = 100;
    private static readonly long MaxRangeSeconds = (long)ShopeeTimeRange.MaxSpan.TotalSeconds;

    /// <summary>Why the range <c>[{fromName}, {toName}]</c> is refused, or null with it read.</summary>
    public static string? Range(IQueryCollection query, string fromName, string toName, out long from, out long to)
    {
        to = 0;
        if (!SimulatorAuth.TryLong(query, fromName, out from) || !SimulatorAuth.TryLong(query, toName, out to))
        {
            return $"{fromName} and {toName} are required.";
        }

        return from > to ? $"{fromName} must not be later than {toName}."
            : to - from > MaxRangeSeconds ? "The time range must not exceed 15 days."
            : null;
    }

    /// <summary>Why page_size is refused, or null with it read.</summary>
    public static string? PageSize(IQueryCollection query, out int pageSize) =>
        int.TryParse(query["page_size"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out pageSize) && pageSize is >= 1 and <= MaxPageSize
            ? null
            : "page_size must be between 1 and 100.";
}
