using System.Globalization;

namespace Backfill.Platforms.Lazada;

/// <summary>
/// Where a slice's order list continues, as the product stores it between pages: the start of the current window (the
/// list's <c>created_after</c>/<c>update_after</c>, in unix seconds; null: the slice's start), the offset within it, and
/// the last second handed on with the orders of that second handed on so far (they are listed again when a window starts
/// at that second). Written <c>1:{offset}:{window}:{tail second}:{id,id,…}</c>, empty fields for none. Pure.
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
        string.Join(',', TailIds));

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

        var ids = parts[4].Length == 0 ? [] : parts[4].Split(',');
        if ((tail is null) != (ids.Length == 0) || ids.Length >= LazadaPaging.WindowCapacity)
        {
            problem = "the cursor's orders of its last second do not match that second";
            return null;
        }

        if (ids.Any(id => !IsId(id)) || ids.Distinct(StringComparer.Ordinal).Count() != ids.Length)
        {
            problem = "the cursor's orders of its last second are not distinct order ids";
            return null;
        }

        return new LazadaCursor(window, offset, tail, ids);
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
