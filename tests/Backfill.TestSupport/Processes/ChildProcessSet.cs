using System.Collections.Concurrent;
using System.Diagnostics;

namespace Backfill.Testing;

/// <summary>
/// Every process one benchmark run started. Disposing kills whatever still runs; so does the end of the harness
/// itself (an unhandled error, a second Ctrl-C), so no product process outlives it.
/// </summary>
internal sealed class ChildProcessSet(string logDirectory) : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<ChildProcess, byte> Live = new();
    private readonly List<ChildProcess> _children = [];

    static ChildProcessSet() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    public string LogDirectory { get; } = logDirectory;

    public ChildProcess Start(string name, ProcessStartInfo info)
    {
        var child = ChildProcess.Start(name, info, LogDirectory);
        Live[child] = 0;
        lock (_children)
        {
            _children.Add(child);
        }

        return child;
    }

    /// <summary>Kills every process still running, the last started first.</summary>
    public async ValueTask DisposeAsync()
    {
        List<ChildProcess> children;
        lock (_children)
        {
            children = [.. _children];
            _children.Clear();
        }

        children.Reverse();
        foreach (var child in children)
        {
            await child.DisposeAsync();
            Live.TryRemove(child, out _);
        }
    }

    /// <summary>Last resort when the harness ends: SIGKILL to every product process of every run.</summary>
    public static void KillAll()
    {
        foreach (var child in Live.Keys)
        {
            child.Kill();
        }
    }
}
