using System.CommandLine;
using Backfill.Cli.Remote;
using Microsoft.Extensions.Configuration;

namespace Backfill.Cli.Commands;

/// <summary>What the verbs that talk to a running scheduler share: the job argument, the token, the client.</summary>
internal static class ControlOptions
{
    public static Argument<string> Job() => new("JOB") { Description = "The job id 'backfill start' printed ('backfill list' shows them)." };

    public static Option<string> Token() => new("--token")
    {
        Description = "The scheduler's API token for changes (default Backfill:ApiToken; prefer the environment variable Backfill__ApiToken: arguments show in the process list).",
    };

    /// <summary>A client for <c>--server</c> (else <c>Backfill:ServerUrl</c>) sending <c>--token</c> (else <c>Backfill:ApiToken</c>) with changes.</summary>
    public static SchedulerClient Client(ParseResult parse, Option<string> server, Option<string>? token, IConfiguration configuration) =>
        new(CommonOptions.ServerUrl(parse.GetValue(server), configuration))
        {
            Token = (token is null ? null : parse.GetValue(token)) ?? configuration["Backfill:ApiToken"],
        };
}
