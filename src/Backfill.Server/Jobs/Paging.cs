using System.Globalization;

namespace Backfill.Server.Jobs;

/// <summary>The <c>limit</c> of a paged list, and a client's value as a message may quote it.</summary>
internal static class Paging
{
    /// <summary>Reads <paramref name="text"/> as a page size from 1 to <paramref name="max"/>; absent is <paramref name="fallback"/>.</summary>
    public static bool TryLimit(string? text, int fallback, int max, out int limit, out string problem)
    {
        problem = "";
        limit = fallback;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 && limit <= max)
        {
            return true;
        }

        problem = $"limit must be a whole number from 1 to {max} (got '{Shown(text)}'); without it a page holds {fallback}.";
        return false;
    }

    public static string Shown(string value) => value.Length <= 100 ? value : value[..100] + "…";
}
