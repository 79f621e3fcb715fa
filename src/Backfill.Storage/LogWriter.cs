using System.Reflection;
using LiteDB;
using LiteDB.Engine;

namespace Backfill.Storage;

/// <summary>
/// Runs a LiteDB write so that LiteDB's log writer writes the transaction's pages in batches on its own thread, and
/// returns once they are in the log file and on disk: one fsync per commit instead of one per page.
/// </summary>
/// <remarks>
/// <para>
/// LiteDB 5.0 puts committed pages on a queue. A writer task writes them to the log file and fsyncs each time it has
/// emptied the queue. When the queue is empty, the writer waits on a <c>TaskCompletionSource</c> made without
/// <c>RunContinuationsAsynchronously</c>. The committing thread's next enqueue therefore runs the writer inline, on the
/// committing thread: it writes that one page, finds the queue empty again, and fsyncs. That repeats for every page.
/// On this VM's disk, a 300,000-document commit made after any earlier write took 25,097 fsyncs and 19.1 s. With the
/// writer on its own thread it took 4 fsyncs and 4.4 s (<c>docs/performance.md</c>, P3).
/// </para>
/// <para>
/// .NET inlines an await's continuation only where the current <see cref="SynchronizationContext"/> is the default one.
/// Under any other context, the continuation is queued to the thread pool. The write runs under <see cref="NoInlining"/>,
/// so the writer drains the queue on its own thread and fsyncs once per drain. The write then waits until the queue is
/// empty, and fsyncs the log file once. A commit that has returned is on disk, as it was when the writer fsynced every
/// page: neither a process killed right after it nor a power cut loses it.
/// </para>
/// <para>
/// LiteDB has no public way to wait for its queue, so <see cref="Resolve"/> reaches it by reflection. It checks the
/// shape when the database is opened: another LiteDB version fails at start, with a message, rather than later.
/// </para>
/// </remarks>
public sealed class LogWriter
{
    private const BindingFlags Private = BindingFlags.Instance | BindingFlags.NonPublic;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly Func<(ManualResetEventSlim Empty, Func<Exception?> Failure)?> _queue;
    private readonly string _log;

    private LogWriter(Func<(ManualResetEventSlim, Func<Exception?>)?> queue, string log) => (_queue, _log) = (queue, log);

    /// <summary>The log writer of <paramref name="database"/>, opened in direct mode (a <c>LiteEngine</c>) on the file <paramref name="path"/>.</summary>
    public static LogWriter Resolve(LiteDatabase database, string path)
    {
        var engine = Field(typeof(LiteDatabase), "_engine").GetValue(database) as LiteEngine
            ?? throw Unexpected("the database is not opened in direct mode (a LiteEngine)");
        var diskField = Field(typeof(LiteEngine), "_disk");
        var queueProperty = diskField.FieldType.GetProperty("Queue") ?? throw Unexpected("DiskService.Queue");
        var lazyType = queueProperty.PropertyType;
        var created = lazyType.GetProperty(nameof(Lazy<object>.IsValueCreated))!;
        var value = lazyType.GetProperty(nameof(Lazy<object>.Value))!;
        var queueType = value.PropertyType;
        var empty = Field(queueType, "_queueIsEmpty");
        var exception = Field(queueType, "_exception");
        if (empty.FieldType != typeof(ManualResetEventSlim) || exception.FieldType != typeof(Exception))
        {
            throw Unexpected("DiskWriterQueue._queueIsEmpty or _exception has another type");
        }

        return new LogWriter(() =>
        {
            var lazy = queueProperty.GetValue(diskField.GetValue(engine));
            if (lazy is null || !(bool)created.GetValue(lazy)!)
            {
                return null;
            }

            var queue = value.GetValue(lazy)!;
            return ((ManualResetEventSlim)empty.GetValue(queue)!, () => (Exception?)exception.GetValue(queue));
        }, LogFile(path));
    }

    /// <summary>Where LiteDB keeps the log of the data file <paramref name="path"/>: <c>name-log.ext</c> beside it.</summary>
    public static string LogFile(string path) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, $"{System.IO.Path.GetFileNameWithoutExtension(path)}-log{System.IO.Path.GetExtension(path)}");

    /// <summary>Runs <paramref name="write"/> (one whole transaction) and waits until its pages are written.</summary>
    public T Write<T>(Func<T> write)
    {
        var previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(NoInlining.Instance);
        try
        {
            return write();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
            WaitUntilWritten();
            FlushLog();
        }
    }

    private void FlushLog()
    {
        try
        {
            using var log = new FileStream(_log, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1);
            log.Flush(flushToDisk: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            // Nothing written yet, or the database is closed: LiteDB removes the log once it is checkpointed into the data file.
        }
    }

    private void WaitUntilWritten()
    {
        if (_queue() is not var (empty, failure))
        {
            return;
        }

        while (!empty.Wait(Poll))
        {
            if (failure() is { } stopped)
            {
                throw new IOException("LiteDB's log writer stopped; the last commit may not be in the file.", stopped);
            }
        }
    }

    private static FieldInfo Field(Type type, string name) => type.GetField(name, Private) ?? throw Unexpected($"{type.Name}.{name}");

    private static InvalidOperationException Unexpected(string what) => new(
        $"LiteDB {typeof(LiteDatabase).Assembly.GetName().Version} is not the version Backfill.Storage waits on ({what} not found). " +
        "Backfill pins LiteDB 5.0.20; see LogWriter for what it relies on.");

    /// <summary>A context that is not the default one, so that continuations are queued instead of run inline.</summary>
    private sealed class NoInlining : SynchronizationContext
    {
        public static readonly NoInlining Instance = new();
    }
}
