using System.Globalization;
using Backfill.Storage;

namespace Backfill.Hosting.Diagnostics;

/// <summary>
/// The storage row of <c>doctor</c>: the size of the scheduler's LiteDB file (and its log) and the free disk of its
/// folder. Only file sizes and the disk are read; the file is not opened, so it can be checked while <c>serve</c> runs.
/// </summary>
internal static class StorageDoctor
{
    public const string Check = "storage";

    /// <summary>
    /// The least free disk that is not warned about: 1 GiB, or the database's size when it is larger. LiteDB stops
    /// writing when the disk is full (and the scheduler with it); its log grows by the pages of each transaction before
    /// they are copied into the file; and bringing a file of an older version forward can rebuild it into a copy beside it.
    /// </summary>
    public const long FreeFloor = 1L << 30;

    /// <summary>The row for the database at <paramref name="path"/> (<c>Backfill:DataDirectory</c>'s <c>backfill.db</c>).</summary>
    public static DoctorCheck Run(string path)
    {
        var full = Path.GetFullPath(path);
        var data = new FileInfo(full);
        var log = new FileInfo(LogWriter.LogFile(full));
        long? free;
        string? unknown = null;
        try
        {
            free = new DriveInfo(NearestFolder(full)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            (free, unknown) = (null, e.Message);
        }

        return Judge(full, data.Exists ? data.Length : null, log.Exists ? log.Length : 0, free, unknown);
    }

    /// <param name="bytes">The data file's size; null when there is none.</param>
    /// <param name="logBytes">The size of LiteDB's log beside it (0 when there is none).</param>
    /// <param name="free">Free disk for this user in the file's folder; null when it could not be read (<paramref name="unknown"/> says why).</param>
    public static DoctorCheck Judge(string path, long? bytes, long logBytes, long? free, string? unknown = null)
    {
        var file = bytes is { } size
            ? $"{path}: {Size(size + logBytes)}" + (logBytes > 0 ? $" (log {Size(logBytes)})" : "")
            : $"no database at {path} yet: 'backfill serve' creates it (run doctor where serve runs to see its size)";
        if (free is not { } available)
        {
            return DoctorCheck.Warn(Check, $"{file}; the free disk of its folder could not be read ({unknown}).");
        }

        var floor = Math.Max(FreeFloor, bytes ?? 0);
        return available < floor
            ? DoctorCheck.Warn(Check, $"{file}; only {Size(available)} free on its disk, less than {Size(floor)} (1 GiB, or the database's size when larger): "
                + "the scheduler stops when LiteDB cannot write. Free disk, move Backfill:DataDirectory, or keep finished jobs' slices for less time (Backfill:KeepFinishedJobs).")
            : DoctorCheck.Ok(Check, $"{file}; {Size(available)} free on its disk.");
    }

    /// <summary>The folder of <paramref name="path"/>, or its nearest existing parent (serve creates the folder).</summary>
    private static string NearestFolder(string path)
    {
        var folder = Path.GetDirectoryName(path);
        while (folder is not null && !Directory.Exists(folder))
        {
            folder = Path.GetDirectoryName(folder);
        }

        return folder ?? Path.GetPathRoot(path)!;
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 10):0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
