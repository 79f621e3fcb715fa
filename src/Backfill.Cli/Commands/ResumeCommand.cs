using System.CommandLine;
using Backfill.Cli.Output;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill resume</c>: a paused job's releases go on at its cadence.</summary>
internal static class ResumeCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides) => JobVerb.Create(
        overrides,
        "resume",
        "Resume a paused job: its releases go on at its cadence, the next one as soon as it is due. Needs the API token (--token or Backfill:ApiToken) unless the scheduler listens on loopback only and has none.\n\nExamples:\n  backfill resume demo-20240501-20240508-1a2b3c\n  backfill resume demo-20240501-20240508-1a2b3c --json --server http://scheduler.internal:5080",
        status => $"Job {status.Job} resumed: {StatusView.Cadence(status)}; {status.Slices.Pending} pending.");
}
