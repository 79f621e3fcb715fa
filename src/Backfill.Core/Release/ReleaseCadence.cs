using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Backfill.Core.Release;

/// <summary>
/// A job's release cadence as people write it: a period (<c>HH:MM:SS</c>, every period up to <c>SlicesPerRelease</c>
/// slices per shop) or <c>auto</c> (whenever the platform has room, <see cref="AutoTick"/> apart at most). A job stores
/// <c>auto</c> as a zero period, which no written period can be.
/// </summary>
public static class ReleaseCadence
{
    public const string AutoName = "auto";

    /// <summary>How <c>auto</c> is stored.</summary>
    public static readonly TimeSpan Auto = TimeSpan.Zero;

    /// <summary>How often an <c>auto</c> job's platform is looked at for room.</summary>
    public static readonly TimeSpan AutoTick = TimeSpan.FromSeconds(1);

    public static bool IsAuto(TimeSpan every) => every == Auto;

    /// <summary>How often a job's release trigger fires: its period, or <see cref="AutoTick"/>.</summary>
    public static TimeSpan TickOf(TimeSpan every) => IsAuto(every) ? AutoTick : every;

    public static string Format(TimeSpan every) => IsAuto(every) ? AutoName : every.ToString("c", CultureInfo.InvariantCulture);

    /// <summary>Reads <c>auto</c> (any case) or a positive <c>[d.]HH:MM:SS[.fff]</c>; <paramref name="problem"/> says what is wrong otherwise.</summary>
    public static bool TryParse(string? text, out TimeSpan every, [NotNullWhen(false)] out string? problem)
    {
        every = default;
        var trimmed = text?.Trim() ?? "";
        if (string.Equals(trimmed, AutoName, StringComparison.OrdinalIgnoreCase))
        {
            every = Auto;
            problem = null;
            return true;
        }

        // A colon is required: TimeSpan reads a bare "5" as five days, which nobody means by a release cadence.
        if (!trimmed.Contains(':', StringComparison.Ordinal) || !TimeSpan.TryParse(trimmed, CultureInfo.InvariantCulture, out every))
        {
            problem = $"'{text}' is not a cadence: write auto or HH:MM:SS (e.g. 00:05:00)";
            return false;
        }

        if (every <= TimeSpan.Zero)
        {
            problem = $"'{text}' is not a cadence: a period must be positive (or write auto)";
            return false;
        }

        problem = null;
        return true;
    }

    /// <exception cref="FormatException">Not <c>auto</c> nor a positive period.</exception>
    public static TimeSpan Parse(string? text) => TryParse(text, out var every, out var problem) ? every : throw new FormatException(problem);
}
