using System.CommandLine;
using System.Globalization;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Core.Release;
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

    /// <summary><c>--data orders,finance</c>, repeatable; orders when absent. A name that is not a dataset is a usage error.</summary>
    public static Option<Datasets> Data() => new("--data")
    {
        Description = "What each slice pulls: orders (list + detail, every optional field), finance (one escrow call per order), returns (the return list); a comma list, repeatable (default orders). E.g. --data orders,finance.",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
        DefaultValueFactory = _ => DatasetNames.Default,
        CustomParser = r =>
        {
            try
            {
                return DatasetNames.Parse(r.Tokens.Select(t => t.Value));
            }
            catch (FormatException e)
            {
                r.AddError($"--data: {e.Message}");
                return DatasetNames.Default;
            }
        },
    };

    /// <summary><c>--time-field create_time|update_time</c>; the platform's <c>TimeRangeField</c> when absent.</summary>
    public static Option<string?> TimeField() => new("--time-field")
    {
        Description = "Which order time the days are read by: create_time, or update_time to re-pull status changes (default the platform's TimeRangeField).",
        CustomParser = r =>
        {
            var field = r.Tokens.Single().Value;
            if (TimeFields.Problem(field) is { } problem)
            {
                r.AddError($"--time-field: {problem}");
                return null;
            }

            return field;
        },
    };

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

    /// <summary><c>--release-every HH:MM:SS|auto</c>; <c>auto</c> reads as <see cref="ReleaseCadence.Auto"/>.</summary>
    public static Option<TimeSpan?> ReleaseEvery(string description) => new("--release-every")
    {
        Description = description,
        HelpName = "HH:MM:SS|auto",
        CustomParser = r => ParseSpan(r.Tokens.Single().Value, r),
    };

    public static Option<int> Positive(Option<int> option)
    {
        Numbers.Whole(option);
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
        Numbers.Whole(option);
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
    /// through this: an unparsable value has its error from <see cref="Numbers"/> already.
    /// </summary>
    public static double? Given(System.CommandLine.Parsing.SymbolResult? result) =>
        result is { Tokens.Count: 1 } && double.TryParse(result.Tokens[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static DateOnly? ParseDay(string? text, string name) =>
        text is null ? null
        : DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day
        : throw new UsageException($"{name} '{text}' is not a date; use YYYY-MM-DD.");

    public static Option<JobPriority?> Priority(string description) => new("--priority")
    {
        Description = description,
        HelpName = "high|normal|low",
        CustomParser = r =>
        {
            var text = r.Tokens.Single().Value;
            if (JobPriorityNames.TryParse(text, out var priority))
            {
                return priority;
            }

            r.AddError($"--priority '{text}' is not a priority; use {JobPriorityNames.Expected}.");
            return null;
        },
    };

    private static TimeSpan? ParseSpan(string text, System.CommandLine.Parsing.ArgumentResult result)
    {
        if (ReleaseCadence.TryParse(text, out var every, out var problem))
        {
            return every;
        }

        result.AddError($"--release-every: {problem}.");
        return null;
    }
}
