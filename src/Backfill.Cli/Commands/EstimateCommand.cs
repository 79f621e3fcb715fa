using System.CommandLine;
using Backfill.Cli.Output;
using Backfill.Cli.Remote;
using Backfill.Server.Jobs;
using Microsoft.Extensions.Configuration;

namespace Backfill.Cli.Commands;

/// <summary>
/// <c>backfill estimate</c> (and <c>start --dry-run</c>): what a job would be and cost, from a running scheduler,
/// which creates nothing. Calls per day come from the shop's earlier runs when there are any.
/// </summary>
internal static class EstimateCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var job = new JobRequestOptions();
        var server = CommonOptions.Server();
        var json = CommonOptions.Json();
        var token = ControlOptions.Token();
        var command = new Command("estimate", "Estimate a backfill on a running scheduler ('backfill serve') without creating it: its slices, the platform calls expected (from the calls earlier runs of each shop made, else an assumed 10 calls per shop-day) and how long it takes at the configured limits — the larger of the rate bound (calls ÷ the platform's limit) and the release bound (slices ÷ slices per release × cadence). Same options as 'start'.\n\nExamples:\n  backfill estimate --platform demo --shop 10001 --from 2024-05-01 --to 2024-06-01\n  backfill estimate --platform demo --shop 10001 --shop 10002 --days 30 --release-every 00:01:00 --json");
        job.AddTo(command);
        command.Options.Add(server);
        command.Options.Add(json);
        command.Options.Add(token);
        command.SetAction(async (parse, ct) =>
        {
            var request = job.Request(parse);
            return await RunAsync(CliConfiguration.Build(overrides), request, parse.GetValue(server), parse.GetValue(token), parse.GetValue(json), ct);
        });
        return command;
    }

    /// <summary>Asks the scheduler for the estimate of <paramref name="request"/> and prints it (the scheduler's JSON with <paramref name="json"/>).</summary>
    /// <param name="token">The API token (else <c>Backfill:ApiToken</c>): an estimate is a POST, and every POST passes the token gate.</param>
    public static async Task<int> RunAsync(IConfiguration configuration, CreateJobRequest request, string? server, string? token, bool json, CancellationToken cancellationToken)
    {
        using var client = new SchedulerClient(CommonOptions.ServerUrl(server, configuration)) { Token = token ?? configuration["Backfill:ApiToken"] };
        var (estimate, body) = await client.EstimateAsync(request, cancellationToken);
        if (json)
        {
            Console.Out.WriteLine(body);
        }
        else
        {
            EstimateView.Write(Console.Out, estimate);
        }

        return ExitCodes.Success;
    }
}
