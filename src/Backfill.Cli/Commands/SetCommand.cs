using System.CommandLine;
using Backfill.Cli.Output;
using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Backfill.Server.Jobs;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill set</c>: a job's cadence, changed while it runs, from its next release.</summary>
internal static class SetCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var job = ControlOptions.Job();
        var releaseEvery = CommonOptions.ReleaseEvery("The job's new release cadence, HH:MM:SS or auto (default: unchanged).");
        var slicesPerRelease = CommonOptions.SlicesPerRelease();
        slicesPerRelease.Description = "Slices of each shop of the job released per period from now on (default: unchanged).";
        var priority = CommonOptions.Priority("The job's new priority: high, normal or low (default: unchanged).");
        var server = CommonOptions.Server();
        var token = ControlOptions.Token();
        var json = CommonOptions.Json();
        var command = new Command("set", "Change a running or paused job's release cadence or priority live; it holds from the next release (within one period). Needs the API token (--token or Backfill:ApiToken) unless the scheduler listens on loopback only and has none.\n\nExamples:\n  backfill set demo-20240501-20240508-1a2b3c --release-every 00:10:00\n  backfill set demo-20240501-20240508-1a2b3c --release-every 00:01:00 --slices-per-release 2 --json\n  backfill set demo-20240501-20240508-1a2b3c --release-every auto --priority low")
        {
            job, releaseEvery, slicesPerRelease, priority, server, token, json,
        };
        command.Validators.Add(r =>
        {
            if (r.GetResult(releaseEvery) is null && r.GetResult(slicesPerRelease) is null && r.GetResult(priority) is null)
            {
                r.AddError("Give --release-every, --slices-per-release, --priority or several.");
            }
        });
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            using var client = ControlOptions.Client(parse, server, token, configuration);
            var settings = new JobSettingsRequest
            {
                ReleaseEvery = parse.GetValue(releaseEvery) is { } every ? ReleaseCadence.Format(every) : null,
                SlicesPerRelease = parse.GetValue(slicesPerRelease),
                Priority = parse.GetValue(priority) is { } p ? JobPriorityNames.Name(p) : null,
            };
            var (status, body) = await client.SettingsAsync(parse.GetValue(job)!, settings, ct);
            Console.Out.WriteLine(parse.GetValue(json)
                ? body
                : $"Job {status.Job}: {StatusView.Cadence(status)}, priority {status.Priority}, from its next release.");
            return ExitCodes.Success;
        });
        return command;
    }
}
