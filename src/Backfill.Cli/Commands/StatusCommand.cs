using System.CommandLine;
using Backfill.Cli.Output;
using Backfill.Cli.Remote;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill status</c>: how far a job on a running scheduler is.</summary>
internal static class StatusCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var job = new Argument<string>("JOB") { Description = "The job id 'backfill start' printed." };
        var server = CommonOptions.Server();
        var json = CommonOptions.Json();
        var command = new Command("status", "Show a job's state, its slices by state and the orders emitted, from a running scheduler ('backfill serve').\n\nExamples:\n  backfill status demo-20240501-20240508-1a2b3c\n  backfill status demo-20240501-20240508-1a2b3c --json --server http://scheduler.internal:5080")
        {
            job, server, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            using var client = new SchedulerClient(CommonOptions.ServerUrl(parse.GetValue(server), configuration));
            var (status, body) = await client.JobStatusAsync(parse.GetValue(job)!, ct);
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(body);
            }
            else
            {
                StatusView.Write(Console.Out, status);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
