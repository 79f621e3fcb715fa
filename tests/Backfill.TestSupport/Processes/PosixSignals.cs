using System.Runtime.InteropServices;

namespace Backfill.Testing;

/// <summary>
/// Signals <see cref="System.Diagnostics.Process"/> cannot send: SIGTERM (the product stops cleanly on it, as on Ctrl-C),
/// and SIGSTOP/SIGCONT, which freeze and wake a process whole, every thread at once, as a paused VM or a stalled host does.
/// </summary>
internal static partial class PosixSignals
{
    // Linux numbers (x86-64 and arm64).
    private const int SigTerm = 15;
    private const int SigCont = 18;
    private const int SigStop = 19;

    /// <summary>Asks the process to stop; false when it is already gone.</summary>
    public static bool Terminate(int processId) => Kill(processId, SigTerm) == 0;

    /// <summary>Freezes the process (it cannot catch or ignore it); false when it is already gone.</summary>
    public static bool Freeze(int processId) => Kill(processId, SigStop) == 0;

    /// <summary>Wakes a frozen process; false when it is already gone.</summary>
    public static bool Wake(int processId) => Kill(processId, SigCont) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
