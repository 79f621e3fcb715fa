using System.Globalization;

namespace Backfill.Platforms.Lazada;

/// <summary>
/// Lazada's two time formats: ISO 8601 with an offset in requests (<c>2026-08-01T00:00:00+08:00</c>), and
/// <c>2026-08-01 10:12:13 +0800</c> in answers. Order times are whole seconds. Pure.
/// </summary>
internal static class LazadaTime
{
    private static readonly string[] AnswerFormats = ["yyyy-MM-dd HH:mm:ss zzz", "yyyy-MM-dd HH:mm:ss zz"];

    /// <summary>A request's time: <paramref name="unixSeconds"/> written in <paramref name="offset"/>, e.g. <c>2026-08-01T00:00:00+08:00</c>.</summary>
    public static string Request(long unixSeconds, TimeSpan offset) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToOffset(offset).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);

    /// <summary>The first whole second at or after <paramref name="instant"/>: our ranges are half-open and order times whole seconds.</summary>
    public static long CeilingSeconds(DateTimeOffset instant)
    {
        var seconds = instant.ToUnixTimeSeconds();
        return DateTimeOffset.FromUnixTimeSeconds(seconds) < instant ? seconds + 1 : seconds;
    }

    /// <summary>An answer's time (<c>2026-08-01 10:12:13 +0800</c>), or null when it is not one.</summary>
    public static DateTimeOffset? Parse(string? text) =>
        DateTimeOffset.TryParseExact(text, AnswerFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value) ? value : null;
}
