using System.CommandLine;
using System.Text.Json;
using Backfill.Cli.Output;
using Backfill.Scheduling;
using Backfill.Server.Platforms;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill limit</c>: shows platforms' limits, or changes one for the whole fleet while it runs.</summary>
internal static class LimitCommand
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var platform = new Argument<string?>("PLATFORM") { Description = "A configured platform; without it, every platform is shown.", Arity = ArgumentArity.ZeroOrOne };
        var permits = Numbers.Decimal(new Argument<double?>("PERMITS") { Description = "The new limit in calls per second for the whole fleet.", Arity = ArgumentArity.ZeroOrOne });
        var reset = new Option<bool>("--reset") { Description = "Go back to the configured limit and safety margin (Platforms:NAME:RateLimit:PermitsPerSecond and SafetyMargin)." };
        var margin = Numbers.Decimal(new Option<double?>("--margin") { Description = "The new safety margin: the share of the limits kept for the partner key's other clients (the sellers' live sync), at least 0 and below 1." });
        var force = new Option<bool>("--force") { Description = "Allow PERMITS above the configured limit, the rate the platform allows (refused otherwise: calls above it risk a ban)." };
        var server = CommonOptions.Server();
        var json = CommonOptions.Json();
        var token = ControlOptions.Token();
        var command = new Command("limit", "Show each platform's limit and safety margin, or change one platform's limit or margin for every worker while they run. Workers apply it at once; lanes stay as configured, so the limit less the margin cannot go below one call per lane, and the limit goes above the configured limit only with --force.\n\nExamples:\n  backfill limit\n  backfill limit demo 10\n  backfill limit demo --margin 0.2\n  backfill limit demo 25 --force\n  backfill limit demo --reset --json")
        {
            platform, permits, margin, reset, force, server, token, json,
        };
        command.Validators.Add(r =>
        {
            // Given, not parsed: an unparsable PERMITS or --margin has its own error already.
            var hasPermits = r.GetResult(permits) is { Tokens.Count: > 0 };
            var hasMargin = r.GetResult(margin) is { Tokens.Count: > 0 };
            if ((hasPermits || hasMargin) && r.GetValue(reset))
            {
                r.AddError("Give PERMITS or --margin, or --reset, not both.");
            }
            else if ((hasPermits || hasMargin || r.GetValue(reset)) && r.GetValue(platform) is null)
            {
                r.AddError("Name the PLATFORM whose limit changes.");
            }
            else if (CommonOptions.Given(r.GetResult(margin)) is { } given && given is not (>= 0 and < 1))
            {
                r.AddError("--margin must be at least 0 and less than 1 (0.2 keeps a fifth of the limits for the partner key's other clients).");
            }
            else if (r.GetValue(force) && !hasPermits)
            {
                r.AddError("--force goes with a PERMITS value above the configured limit.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            using var client = ControlOptions.Client(parse, server, token, configuration);
            var name = parse.GetValue(platform);
            var newLimit = parse.GetValue(permits);
            var newMargin = parse.GetValue(margin);
            if (newLimit is not null || newMargin is not null || parse.GetValue(reset))
            {
                var change = parse.GetValue(reset)
                    ? new LimitChange(new(null), new(null))
                    : new LimitChange(newLimit is null ? null : new(newLimit), newMargin is null ? null : new(newMargin), parse.GetValue(force));
                var (view, body) = await client.SetLimitAsync(name!, change, ct);
                Print(parse.GetValue(json), body, () => LimitView.Write(Console.Out, [view]));
                return ExitCodes.Success;
            }

            var (list, listBody) = await client.PlatformsAsync(ct);
            var shown = name is null ? list.Platforms : list.Platforms.Where(p => string.Equals(p.Platform, name, StringComparison.OrdinalIgnoreCase)).ToList();
            if (shown.Count == 0)
            {
                throw new UsageException($"no platform '{name}' is configured; configured: {string.Join(", ", list.Platforms.Select(p => p.Platform))}.");
            }

            Print(parse.GetValue(json), name is null ? listBody : JsonSerializer.Serialize(new PlatformList(shown), Web), () => LimitView.Write(Console.Out, shown));
            return ExitCodes.Success;
        });
        return command;
    }

    private static void Print(bool json, string body, Action human)
    {
        if (json)
        {
            Console.Out.WriteLine(body);
        }
        else
        {
            human();
        }
    }
}
