using System.CommandLine;
using Backfill.Cli.Output;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill list</c>: the jobs of a running scheduler, newest first.</summary>
internal static class ListCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var state = new Option<string>("--state") { Description = "Only jobs in this state: running, paused, succeeded, failed or cancelled." };
        state.AcceptOnlyFromAmong("running", "paused", "succeeded", "failed", "cancelled");
        var server = CommonOptions.Server();
        var json = CommonOptions.Json();
        var command = new Command("list", "List the jobs of a running scheduler ('backfill serve'), newest first: id, who created it (cli, api, a schedule), platform, shops, range, state, share of slices finished, orders emitted.\n\nExamples:\n  backfill list\n  backfill list --state running\n  backfill list --state failed --json --server http://scheduler.internal:5080")
        {
            state, server, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            using var client = ControlOptions.Client(parse, server, null, configuration);
            var (jobs, body) = await client.ListJobsAsync(parse.GetValue(state), ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(body);
            }
            else
            {
                ListView.Write(Console.Out, jobs);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
