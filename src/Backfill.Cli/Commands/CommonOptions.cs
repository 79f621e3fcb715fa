using System.CommandLine;
using System.Globalization;

namespace Backfill.Cli.Commands;

/// <summary>Options several verbs share, with their validation.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object as the last line of stdout (for scripts)." };

    public static Option<int> Workers(int defaultValue) => Positive(new Option<int>("--workers") { Description = "Worker consumers in this process.", DefaultValueFactory = _ => defaultValue });

    public static Option<TimeSpan?> ReleaseEvery(string description) => new("--release-every")
    {
        Description = description,
        CustomParser = r => ParseSpan(r.Tokens.Single().Value, r),
    };

    public static Option<int> Positive(Option<int> option)
    {
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError($"{option.Name} must be at least 1.");
            }
        });
        return option;
    }

    public static DateOnly? ParseDay(string? text, string name) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
        : throw new UsageException($"{name} '{text}' is not a date; use YYYY-MM-DD.");

    private static TimeSpan? ParseSpan(string text, System.CommandLine.Parsing.ArgumentResult result)
    {
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span > TimeSpan.Zero)
        {
            return span;
        }

        result.AddError($"--release-every '{text}' is not a positive time span; use HH:MM:SS, e.g. 00:05:00.");
        return null;
    }
}
