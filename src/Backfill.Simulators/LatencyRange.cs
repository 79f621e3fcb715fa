using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Backfill.Simulators;

/// <summary>How long a simulator holds an admitted call before answering: a uniform draw in [<see cref="Min"/>, <see cref="Max"/>].</summary>
public readonly record struct LatencyRange
{
    public LatencyRange(TimeSpan min, TimeSpan max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(min, TimeSpan.Zero, nameof(min));
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min, nameof(max));
        Min = min;
        Max = max;
    }

    public TimeSpan Min { get; }

    public TimeSpan Max { get; }

    /// <summary>The one latency of a fixed range, or the draw <paramref name="fraction"/> (0 ≤ f &lt; 1) of the way from min to max.</summary>
    public TimeSpan At(double fraction) => Min + ((Max - Min) * fraction);

    /// <summary>Milliseconds, one value (<c>300</c>) or a range (<c>150-350</c>); false with the reason for anything else.</summary>
    public static bool TryParse(string text, out LatencyRange range, [NotNullWhen(false)] out string? problem)
    {
        range = default;
        var parts = text.Split('-', StringSplitOptions.TrimEntries);
        var ms = new List<int>();
        foreach (var part in parts)
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                problem = $"'{text}' is not milliseconds (300) or a range of milliseconds (150-350)";
                return false;
            }

            ms.Add(value);
        }

        if (ms.Count is < 1 or > 2 || ms[^1] < ms[0])
        {
            problem = $"'{text}' is not milliseconds (300) or a range of milliseconds with its least first (150-350)";
            return false;
        }

        range = new LatencyRange(TimeSpan.FromMilliseconds(ms[0]), TimeSpan.FromMilliseconds(ms[^1]));
        problem = null;
        return true;
    }

    public override string ToString() =>
        Min == Max ? $"{Min.TotalMilliseconds:0} ms" : $"{Min.TotalMilliseconds:0}-{Max.TotalMilliseconds:0} ms";
}
