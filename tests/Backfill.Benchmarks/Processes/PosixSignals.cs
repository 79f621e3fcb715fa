using System.Runtime.InteropServices;

namespace Backfill.Benchmarks.Processes;

/// <summary>SIGTERM, which <see cref="System.Diagnostics.Process"/> cannot send: the product stops cleanly on it, as on Ctrl-C.</summary>
internal static partial class PosixSignals
{
    private const int SigTerm = 15;

    /// <summary>Asks the process to stop; false when it is already gone.</summary>
    public static bool Terminate(int processId) => Kill(processId, SigTerm) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
