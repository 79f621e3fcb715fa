using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Backfill.Reliability.Tests.Operations;

/// <summary>
/// Seeded inputs for the input scenario: a failure names the seed and the input, and the same seed gives the same
/// inputs (<c>BACKFILL_FUZZ_SEED=N</c> replays another run).
/// </summary>
internal static partial class Fuzz
{
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("BACKFILL_FUZZ_SEED"), out var seed) ? seed : 20_240_229;

    private static readonly string[] Oddities =
    [
        "", " ", "null", "-1", "0", "1e400", "-1e400", "99999999999999999999999", "NaN", "Infinity", "true", "[]", "{}", "\"\"",
        "\"2024-02-30\"", "\"0001-01-01\"", "\"9999-12-31\"", "\"2024-13-01\"", "\"24-01-01\"", "\"-00:00:01\"", "\"10675199.02:48:05.4775808\"",
        "\"00:00:00\"", "\"abc\"", "\"\\u0000\"", "\"💥\"", "[1,2,3]", "{\"a\":1}", "\"../../etc/passwd\"", "\"<script>\"", "\"Mars/Olympus\"",
    ];

    /// <summary>The marks of a leaked stack trace or exception: "   at X.Y(" lines and exception type names.</summary>
    public static bool LooksLikeAStackTrace(string text) => StackTrace().IsMatch(text);

    /// <summary>A mutation of <paramref name="valid"/>: a value swapped for an oddity, a character dropped, doubled or replaced, a cut, or random bytes.</summary>
    public static string Mutate(Random random, string valid)
    {
        switch (random.Next(7))
        {
            case 0:
                // A member's value replaced by an oddity (wrong type, huge number, impossible date).
                var values = ValueSpots().Matches(valid);
                if (values.Count > 0)
                {
                    var spot = values[random.Next(values.Count)].Groups["value"];
                    return string.Concat(valid.AsSpan(0, spot.Index), Oddities[random.Next(Oddities.Length)], valid.AsSpan(spot.Index + spot.Length));
                }

                goto default;
            case 1:
                var drop = random.Next(valid.Length);
                return valid.Remove(drop, 1);
            case 2:
                var at = random.Next(valid.Length);
                return valid.Insert(at, valid[at].ToString());
            case 3:
                var replace = random.Next(valid.Length);
                return string.Concat(valid.AsSpan(0, replace), ((char)random.Next(32, 127)).ToString(), valid.AsSpan(replace + 1));
            case 4:
                return valid[..random.Next(valid.Length)];
            case 5:
                return Nested(random.Next(2) == 0 ? '[' : '{', random.Next(64, 20_000));
            default:
                var bytes = new byte[random.Next(1, 200)];
                random.NextBytes(bytes);
                return Encoding.Latin1.GetString(bytes);
        }
    }

    public static string Oddity(Random random) => Oddities[random.Next(Oddities.Length)].Trim('"');

    private static string Nested(char open, int depth) =>
        open == '['
            ? new string('[', depth) + new string(']', depth)
            : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    public static string Describe(string input) =>
        input.Length > 200 ? $"{input[..200]}… ({input.Length.ToString(CultureInfo.InvariantCulture)} chars)" : input;

    [GeneratedRegex(@"""\w+""\s*:\s*(?<value>""[^""]*""|[^,}\]]+)")]
    private static partial Regex ValueSpots();

    [GeneratedRegex(@"^\s+at \S+\(|\b(System|Backfill|LiteDB|Confluent|Microsoft)\.[\w.]*Exception\b|\b\w+Exception:", RegexOptions.Multiline)]
    private static partial Regex StackTrace();
}
