using System.Runtime.InteropServices;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// Before a disk-bound side is timed, what earlier rows and sides wrote is flushed, so no side pays for another's
/// writeback (P3 on disk read 0.39 with the raw side's 700 MB still being written behind the product's run).
/// </summary>
internal static partial class Disk
{
    public static void Settle()
    {
        var started = TimeProvider.System.GetTimestamp();
        Sync();
        Benchmarks.Progress.Line($"disk settled (sync) in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:0.0} s");
    }

    [LibraryImport("libc", EntryPoint = "sync")]
    private static partial void Sync();
}
