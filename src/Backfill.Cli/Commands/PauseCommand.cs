using System.CommandLine;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill pause</c>: no slice of the job is released any more; slices in flight finish.</summary>
internal static class PauseCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides) => JobVerb.Create(
        overrides,
        "pause",
        "Pause a running job: from now on no slice of it is released; slices already in flight finish. 'backfill resume' continues it. Needs the API token (--token or Backfill:ApiToken) unless the scheduler listens on loopback only and has none.\n\nExamples:\n  backfill pause demo-20240501-20240508-1a2b3c\n  backfill pause demo-20240501-20240508-1a2b3c --json --server http://scheduler.internal:5080",
        status => $"Job {status.Job} paused: no slice of it is released until 'backfill resume {status.Job}'; {status.Slices.Released + status.Slices.Running} slice(s) in flight finish.");
}
