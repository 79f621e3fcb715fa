using System.CommandLine;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill cancel</c>: the job ends; its slices in flight stop before their next page (R4).</summary>
internal static class CancelCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides) => JobVerb.Create(
        overrides,
        "cancel",
        "Cancel a running or paused job: all its unfinished slices are cancelled at once, pending and in flight; workers stop the steps in flight before their next page (told through the control topic), and what they report later is ignored. A cancelled job stays cancelled. Needs the API token (--token or Backfill:ApiToken) unless the scheduler listens on loopback only and has none.\n\nExamples:\n  backfill cancel demo-20240501-20240508-1a2b3c\n  backfill cancel demo-20240501-20240508-1a2b3c --json --server http://scheduler.internal:5080",
        status => $"Job {status.Job} cancelled: {status.Slices.Cancelled} slice(s) cancelled; workers stop those that were in flight before their next page.");
}
