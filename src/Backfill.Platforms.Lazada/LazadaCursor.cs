using System.Globalization;

namespace Backfill.Platforms.Lazada;

/// <summary>
/// Where a slice's order list continues, as the product stores it between pages: the start of the current window (the
/// list's <c>created_after</c>/<c>update_after</c>, in unix seconds; null: the slice's start), the offset within it, and
/// the last second handed on with the orders of that second handed on so far (they are listed again when a window starts
/// at that second). Written <c>1:{offset}:{window}:{tail second}:{ids}</c>, empty fields for none, the ids in ascending
/// order as the first and then each one's distance from the one before (<c>4000000000001,+1,+1,+7</c>): a seller's orders
/// of one second have ids close together, so even thousands of them keep the cursor, and the action that carries it,
/// small. Pure.
/// </summary>
internal sealed record LazadaCursor(long? Window, int Offset, long? Tail, IReadOnlyList<string> TailIds)
{
    public const string Version = "1";

    private const char Separator = ':';

    /// <summary>The longest order id: a decimal 64-bit number.</summary>
    private const int MaxIdLength = 20;

    /// <summary>The first page: the slice's start, offset 0, nothing handed on.</summary>
    public static LazadaCursor Start { get; } = new(null, 0, null, []);

    public string Encode() => string.Join(
        Separator,
        Version,
        Offset.ToString(CultureInfo.InvariantCulture),
        Window?.ToString(CultureInfo.InvariantCulture) ?? "",
        Tail?.ToString(CultureInfo.InvariantCulture) ?? "",
        Ids(TailIds));

    /// <summary>
    /// Reads what <see cref="Encode"/> wrote for a slice whose seconds are <c>[fromSecond, toSecond)</c>; null with the
    /// problem when it is not such a cursor (another version, another slice's, damaged).
    /// </summary>
    public static LazadaCursor? Decode(string text, long fromSecond, long toSecond, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(text);
        problem = null;
        var parts = text.Split(Separator);
        if (parts.Length != 5 || parts[0] != Version)
        {
            problem = $"'{Cut(text)}' is not a version {Version} Lazada list cursor";
            return null;
        }

        if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset) || offset > LazadaPaging.MaxOffset)
        {
            problem = $"the cursor's offset '{Cut(parts[1])}' is not a whole number from 0 to {LazadaPaging.MaxOffset}";
            return null;
        }

        if (!Second(parts[2], fromSecond, toSecond, out var window))
        {
            problem = $"the cursor's window start '{Cut(parts[2])}' is not a second of the slice";
            return null;
        }

        if (!Second(parts[3], window ?? fromSecond, toSecond, out var tail))
        {
            problem = $"the cursor's last second '{Cut(parts[3])}' is not a second of the slice at or after its window start";
            return null;
        }

        var fields = parts[4].Length == 0 ? [] : parts[4].Split(',');
        if ((tail is null) != (fields.Length == 0) || fields.Length >= LazadaPaging.WindowCapacity)
        {
            problem = "the cursor's orders of its last second do not match that second";
            return null;
        }

        if (Ids(fields) is not { } ids)
        {
            problem = "the cursor's orders of its last second are not distinct order ids";
            return null;
        }

        return new LazadaCursor(window, offset, tail, ids);
    }

    /// <summary>The ids in ascending order, the first whole and each next one as <c>+distance</c>.</summary>
    private static string Ids(IReadOnlyList<string> ids)
    {
        var sorted = ids.Select(id => UInt128.Parse(id, NumberStyles.None, CultureInfo.InvariantCulture)).Order().ToList();
        return string.Join(',', sorted.Select((id, i) => i == 0
            ? id.ToString(CultureInfo.InvariantCulture)
            : "+" + (id - sorted[i - 1]).ToString(CultureInfo.InvariantCulture)));
    }

    /// <summary>The ids <see cref="Ids(IReadOnlyList{string})"/> wrote, or null when the fields are not such a list of distinct ids.</summary>
    private static List<string>? Ids(string[] fields)
    {
        var ids = new List<string>(fields.Length);
        var previous = UInt128.Zero;
        for (var i = 0; i < fields.Length; i++)
        {
            var field = i == 0 ? fields[i] : fields[i].StartsWith('+') ? fields[i][1..] : "";
            if (!IsId(field) || !UInt128.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                || (i > 0 && (value == 0 || UInt128.MaxValue - previous < value)))
            {
                return null;
            }

            previous = i == 0 ? value : previous + value;
            var id = previous.ToString(CultureInfo.InvariantCulture);
            if (!IsId(id))
            {
                return null;
            }

            ids.Add(id);
        }

        return ids;
    }

    /// <summary>An order id as the cursor and the items call carry it: 1 to 20 decimal digits.</summary>
    public static bool IsId(string id) => id.Length is > 0 and <= MaxIdLength && id.All(char.IsAsciiDigit);

    private static bool Second(string text, long from, long to, out long? second)
    {
        second = null;
        if (text.Length == 0)
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= from && value < to)
        {
            second = value;
            return true;
        }

        return false;
    }

    private static string Cut(string s) => s.Length <= 24 ? s : s[..24] + "…";
}
