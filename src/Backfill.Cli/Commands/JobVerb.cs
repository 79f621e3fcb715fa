using System.CommandLine;
using Backfill.Server.Jobs;

namespace Backfill.Cli.Commands;

/// <summary>The shape of <c>pause</c>, <c>resume</c> and <c>cancel</c>: one job, one command, its status afterwards.</summary>
internal static class JobVerb
{
    /// <param name="said">The human answer, from the job's status after the command.</param>
    public static Command Create(IReadOnlyDictionary<string, string?> overrides, string name, string description, Func<JobStatus, string> said)
    {
        var job = ControlOptions.Job();
        var server = CommonOptions.Server();
        var token = ControlOptions.Token();
        var json = CommonOptions.Json();
        var command = new Command(name, description) { job, server, token, json };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            using var client = ControlOptions.Client(parse, server, token, configuration);
            var (status, body) = await client.CommandAsync(parse.GetValue(job)!, name, ct);
            Console.Out.WriteLine(parse.GetValue(json) ? body : said(status));
            return ExitCodes.Success;
        });
        return command;
    }
}
