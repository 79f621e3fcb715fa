using System.CommandLine;
using Backfill.Cli.Output;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill status</c>: how far a job on a running scheduler is; with <c>--watch</c>, followed until it ends.</summary>
internal static class StatusCommand
{
    private static readonly TimeSpan WatchEvery = TimeSpan.FromSeconds(1);

    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var job = ControlOptions.Job();
        var watch = new Option<bool>("--watch") { Description = "Follow the job with a live progress bar (refreshed every second) until it ends and, when it succeeded, until the sink has saved all its orders; exit 0 if it succeeded, 1 if it failed or was cancelled." };
        var server = CommonOptions.Server();
        var json = CommonOptions.Json();
        var command = new Command("status", "Show a job's state, its slices by state and its orders emitted and saved, from a running scheduler ('backfill serve').\n\nExamples:\n  backfill status demo-20240501-20240508-1a2b3c\n  backfill status demo-20240501-20240508-1a2b3c --watch\n  backfill status demo-20240501-20240508-1a2b3c --json --server http://scheduler.internal:5080")
        {
            job, watch, server, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            using var client = ControlOptions.Client(parse, server, null, configuration);
            var id = parse.GetValue(job)!;
            var asJson = parse.GetValue(json);
            var (status, body) = parse.GetValue(watch)
                ? await WatchView.FollowAsync(client, id, asJson ? Console.Error : Console.Out, WatchEvery, TimeProvider.System, ct)
                : await client.JobStatusAsync(id, ct);
            if (asJson)
            {
                Console.Out.WriteLine(body);
            }
            else
            {
                StatusView.Write(Console.Out, status);
            }

            return !parse.GetValue(watch) || JobProgress.Succeeded(status) ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }
}
