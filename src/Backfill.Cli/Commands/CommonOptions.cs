using System.CommandLine;
using System.Globalization;
using Backfill.Scheduling;
using Microsoft.Extensions.Configuration;

namespace Backfill.Cli.Commands;

/// <summary>Options several verbs share, with their validation.</summary>
internal static class CommonOptions
{
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object as the last line of stdout (for scripts)." };

    public static Option<string> Platform() => new("--platform") { Description = "A platform configured under Platforms:NAME.", Required = true };

    public static Option<string[]> Shops() => new("--shop") { Description = "Shop id; repeat for several shops.", Required = true, AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.OneOrMore };

    public static Option<int?> SlicesPerRelease() => Positive(new Option<int?>("--slices-per-release") { Description = "Slices of this job released per cadence (default Backfill:SlicesPerRelease)." });

    public static Option<string> Server() => new("--server") { Description = "The scheduler's URL (default Backfill:ServerUrl, http://127.0.0.1:5080)." };

    /// <summary>The scheduler to talk to: <paramref name="server"/>, else <c>Backfill:ServerUrl</c>.</summary>
    public static Uri ServerUrl(string? server, IConfiguration configuration)
    {
        var text = server ?? configuration["Backfill:ServerUrl"] ?? new BackfillOptions().ServerUrl;
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new UsageException($"--server '{text}' is not an http:// URL; use e.g. http://127.0.0.1:5080.");
    }

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
            if (Given(r) < 1)
            {
                r.AddError($"{option.Name} must be at least 1.");
            }
        });
        return option;
    }

    /// <summary>An optional number that, when given, is at least 1.</summary>
    public static Option<int?> Positive(Option<int?> option)
    {
        option.Validators.Add(r =>
        {
            if (Given(r) < 1)
            {
                r.AddError($"{option.Name} must be at least 1.");
            }
        });
        return option;
    }

    /// <summary>
    /// The number given on the command line, or null when none was given or it does not parse. Validators read values
    /// through this: reading an unparsable value throws (a crash with a stack trace), and the parser reports it anyway.
    /// </summary>
    public static double? Given(System.CommandLine.Parsing.SymbolResult? result) =>
        result is { Tokens.Count: 1 } && double.TryParse(result.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

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
