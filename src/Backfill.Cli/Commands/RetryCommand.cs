using System.CommandLine;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill retry</c>: failed slices (all, or one) go back to pending; succeeded ones never run again (R11) unless forced (R10).</summary>
internal static class RetryCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var job = ControlOptions.Job();
        var slice = new Option<string>("--slice") { Description = "Retry only this failed slice (ids as 'GET /api/jobs/JOB/slices?state=failed' lists them)." };
        var force = new Option<bool>("--force") { Description = "Re-run succeeded slices too (all, or the one given); a succeeded job runs again. Safe: the order sink absorbs the repeated orders." };
        var server = CommonOptions.Server();
        var token = ControlOptions.Token();
        var json = CommonOptions.Json();
        var command = new Command("retry", "Put a job's failed slices (or the one given) back to pending; a failed job runs again. Succeeded slices are re-run only with --force (then a finished job runs again; the sink absorbs the repeated orders); without it a slice given that did not fail is refused (exit 1). Needs the API token (--token or Backfill:ApiToken) unless the scheduler listens on loopback only and has none.\n\nExamples:\n  backfill retry demo-20240501-20240508-1a2b3c\n  backfill retry demo-20240501-20240508-1a2b3c --slice demo-20240501-20240508-1a2b3c/10001/20240503\n  backfill retry demo-20240501-20240508-1a2b3c --force\n  backfill retry demo-20240501-20240508-1a2b3c --json --server http://scheduler.internal:5080")
        {
            job, slice, force, server, token, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            using var client = ControlOptions.Client(parse, server, token, configuration);
            var forced = parse.GetValue(force);
            var (result, body) = await client.RetryAsync(parse.GetValue(job)!, parse.GetValue(slice), forced, ct);
            Console.Out.WriteLine(parse.GetValue(json)
                ? body
                : $"Job {result.Job} {result.State}: {result.Retried.Count} {(forced ? "slice(s)" : "failed slice(s)")} back to pending: {string.Join(", ", result.Retried)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
