using System.Globalization;
using System.Text.Json;

namespace Backfill.Simulators.Lazada;

/// <summary>Lazada's parameter rules for the order calls; each returns a problem to answer <c>InvalidParameter</c> with, or null.</summary>
internal static class LazadaParams
{
    /// <summary>The largest offset the list accepts: a window with more orders must be continued from the last order's time.</summary>
    public const int MaxOffset = 5_000;

    public const int MaxLimit = 100;
    public const int DefaultLimit = 10;

    /// <summary>The most order ids one items call takes.</summary>
    public const int MaxOrderIds = 50;

    private static readonly string[] InstantFormats =
        ["yyyy-MM-dd'T'HH:mm:sszzz", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'"];

    /// <summary>An ISO 8601 instant with an offset (<c>2026-08-01T00:00:00+08:00</c> or <c>…Z</c>); a time without one is refused.</summary>
    public static string? Instant(string name, string? text, out DateTimeOffset value)
    {
        if (DateTimeOffset.TryParseExact(text, InstantFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value))
        {
            return null;
        }

        return $"{name} must be ISO 8601 with an offset, e.g. 2026-08-01T00:00:00+08:00 (got '{text}'; a '+' must be sent as %2B).";
    }

    public static string? Offset(string? text, out int offset)
    {
        offset = 0;
        return string.IsNullOrEmpty(text) || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out offset) && offset <= MaxOffset)
            ? null
            : $"offset must be a whole number from 0 to {MaxOffset} (got '{text}'); continue a longer window from the last order's created_at with offset 0.";
    }

    public static string? Limit(string? text, out int limit)
    {
        limit = DefaultLimit;
        return string.IsNullOrEmpty(text) || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= MaxLimit)
            ? null
            : $"limit must be a whole number from 1 to {MaxLimit} (got '{text}').";
    }

    /// <summary><c>order_ids</c>: a JSON array of 1 to 50 integer ids (numbers, or strings of digits).</summary>
    public static string? OrderIds(string? text, out IReadOnlyList<long> ids)
    {
        ids = [];
        var problem = $"order_ids must be a JSON array of 1 to {MaxOrderIds} order ids, e.g. [4000123456789] (got '{text}').";
        if (string.IsNullOrEmpty(text))
        {
            return problem;
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            if (json.RootElement.ValueKind != JsonValueKind.Array || json.RootElement.GetArrayLength() is 0 or > MaxOrderIds)
            {
                return problem;
            }

            var parsed = new List<long>();
            foreach (var element in json.RootElement.EnumerateArray())
            {
                if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var number))
                {
                    parsed.Add(number);
                }
                else if (element.ValueKind == JsonValueKind.String && long.TryParse(element.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number))
                {
                    parsed.Add(number);
                }
                else
                {
                    return problem;
                }
            }

            ids = parsed;
            return null;
        }
        catch (JsonException)
        {
            return problem;
        }
    }
}
