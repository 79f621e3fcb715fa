using System.CommandLine;
using System.Globalization;
using Backfill.Server.Jobs;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill set</c>: a job's cadence, changed while it runs, from its next release.</summary>
internal static class SetCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var job = ControlOptions.Job();
        var releaseEvery = CommonOptions.ReleaseEvery("The job's new release cadence, HH:MM:SS.");
        releaseEvery.Required = true;
        var slicesPerRelease = CommonOptions.SlicesPerRelease();
        slicesPerRelease.Description = "Slices of the job released per cadence from now on (default: unchanged).";
        var server = CommonOptions.Server();
        var token = ControlOptions.Token();
        var json = CommonOptions.Json();
        var command = new Command("set", "Change a running or paused job's release cadence live; it holds from the next release (within one period). Needs the API token (--token or Backfill:ApiToken) unless the scheduler listens on loopback only and has none.\n\nExamples:\n  backfill set demo-20240501-20240508-1a2b3c --release-every 00:10:00\n  backfill set demo-20240501-20240508-1a2b3c --release-every 00:01:00 --slices-per-release 2 --json")
        {
            job, releaseEvery, slicesPerRelease, server, token, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            using var client = ControlOptions.Client(parse, server, token, configuration);
            var settings = new JobSettingsRequest
            {
                ReleaseEvery = parse.GetValue(releaseEvery)!.Value.ToString("c", CultureInfo.InvariantCulture),
                SlicesPerRelease = parse.GetValue(slicesPerRelease),
            };
            var (status, body) = await client.SettingsAsync(parse.GetValue(job)!, settings, ct);
            Console.Out.WriteLine(parse.GetValue(json)
                ? body
                : $"Job {status.Job}: {status.SlicesPerRelease} slice(s) released every {status.ReleaseEvery.ToString("c", CultureInfo.InvariantCulture)} from its next release.");
            return ExitCodes.Success;
        });
        return command;
    }
}
