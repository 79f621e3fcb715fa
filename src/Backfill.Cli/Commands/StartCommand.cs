using System.CommandLine;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill start</c>: asks a running scheduler (<c>backfill serve</c>) for a job, and returns.</summary>
internal static class StartCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var job = new JobRequestOptions();
        var server = CommonOptions.Server();
        var json = CommonOptions.Json();
        var dryRun = new Option<bool>("--dry-run") { Description = "Only estimate the job, as 'backfill estimate' does; nothing is created." };
        var allowOverlap = new Option<bool>("--allow-overlap") { Description = "Create the job even when an active job of the platform covers one of its shops on one of its days (refused otherwise, exit 1)." };
        var token = ControlOptions.Token();
        var command = new Command("start", "Create a backfill job on a running scheduler ('backfill serve') and print its id; workers do the rest. Days are calendar days in the scheduler's Backfill:TimeZone; --to is exclusive.\n\nExamples:\n  backfill start --platform demo --shop 10001 --from 2024-05-01 --to 2024-05-08\n  backfill start --platform demo --shop 10001 --shop 10002 --days 7 --release-every 00:01:00 --json\n  backfill start --platform demo --shop 10001 --days 3 --server http://scheduler.internal:5080\n  backfill start --platform demo --shop 10001 --days 30 --dry-run\n  backfill start --platform demo --shop 10001 --days 3 --allow-overlap");
        job.AddTo(command);
        command.Options.Add(server);
        command.Options.Add(json);
        command.Options.Add(dryRun);
        command.Options.Add(allowOverlap);
        command.Options.Add(token);
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            var request = job.Request(parse) with { AllowOverlap = parse.GetValue(allowOverlap) ? true : null };
            if (parse.GetValue(dryRun))
            {
                return await EstimateCommand.RunAsync(configuration, request, parse.GetValue(server), parse.GetValue(token), parse.GetValue(json), ct);
            }

            var url = CommonOptions.ServerUrl(parse.GetValue(server), configuration);
            using var client = ControlOptions.Client(parse, server, token, configuration);
            var (id, body) = await client.CreateJobAsync(request, ct);
            Console.Error.WriteLine($"Job {id} created on {url.ToString().TrimEnd('/')}; follow it with 'backfill status {id}'.");
            Console.Out.WriteLine(parse.GetValue(json) ? body : id);
            return ExitCodes.Success;
        });
        return command;
    }
}
