using System.Diagnostics;
using System.Text;

namespace Backfill.Testing;

/// <summary>
/// One product process. Its stdout is read line by line (readiness lines, <c>--json</c> results) and copied to
/// <c>NAME.stdout.log</c>; its stderr goes unbuffered to <c>NAME.stderr.log</c>, so the log is whole even after a kill.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];
    private readonly Task _stdout;
    private readonly Task _stderr;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stdoutEnded;

    private ChildProcess(string name, Process process, string stdoutLog, string stderrLog)
    {
        Name = name;
        _process = process;
        StdoutLog = stdoutLog;
        StderrLog = stderrLog;
        _stdout = ReadStdoutAsync();
        _stderr = CopyStderrAsync();
    }

    public string Name { get; }

    public string StdoutLog { get; }

    public string StderrLog { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Set once the process has exited.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Starts <paramref name="info"/> (its streams redirected here) with logs under <paramref name="logDirectory"/>.</summary>
    public static ChildProcess Start(string name, ProcessStartInfo info, string logDirectory)
    {
        Directory.CreateDirectory(logDirectory);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.RedirectStandardInput = true;
        info.UseShellExecute = false;
        info.StandardOutputEncoding = Encoding.UTF8;
        var process = new Process { StartInfo = info };
        try
        {
            if (!process.Start())
            {
                throw new ChildProcessException($"{name}: '{info.FileName}' did not start.");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new ChildProcessException($"{name}: cannot start '{info.FileName}': {e.Message}");
        }

        // The product never reads stdin; closing it means a child waiting on it would see end of input, not hang.
        process.StandardInput.Close();
        return new ChildProcess(name, process, Path.Combine(logDirectory, $"{name}.stdout.log"), Path.Combine(logDirectory, $"{name}.stderr.log"));
    }

    /// <summary>The first stdout line starting with <paramref name="prefix"/>, without the prefix; throws if the process exits or stays silent too long.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        var started = time.GetTimestamp();
        var seen = 0;
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                for (; seen < _lines.Count; seen++)
                {
                    if (_lines[seen].StartsWith(prefix, StringComparison.Ordinal))
                    {
                        return _lines[seen][prefix.Length..].Trim();
                    }
                }

                if (_stdoutEnded)
                {
                    break;
                }

                changed = _changed.Task;
            }

            var left = timeout - time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero)
            {
                throw new ChildProcessException($"{Name} printed no '{prefix}' line within {timeout.TotalSeconds:0} s. {Describe()}");
            }

            try
            {
                await changed.WaitAsync(left, time, cancellationToken);
            }
            catch (TimeoutException)
            {
            }
        }

        await WaitForExitAsync(DrainLimit, CancellationToken.None);
        throw new ChildProcessException($"{Name} ended before printing '{prefix}'. {Describe()}");
    }

    /// <summary>Waits for the process and for its output to be read to the end; false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _process.WaitForExitAsync(cancellationToken).WaitAsync(timeout, TimeProvider.System, cancellationToken);
        }
        catch (TimeoutException)
        {
            return false;
        }

        try
        {
            await Task.WhenAll(_stdout, _stderr).WaitAsync(DrainLimit, TimeProvider.System, CancellationToken.None);
        }
        catch (Exception e) when (e is TimeoutException or IOException or ObjectDisposedException)
        {
            // A pipe still held open, or already broken: the logs keep what arrived.
        }

        return true;
    }

    /// <summary>SIGKILL: the process gets no chance to clean up, like a crashed machine.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>SIGSTOP: every thread of the process stops at once, as in a paused VM or a stalled host, until <see cref="Wake"/>.</summary>
    public void Freeze()
    {
        if (!PosixSignals.Freeze(_process.Id))
        {
            throw new ChildProcessException($"{Name} could not be frozen: it is gone. {Describe()}");
        }
    }

    /// <summary>SIGCONT: a frozen process runs again from where it stopped, its timers long overdue.</summary>
    public void Wake() => PosixSignals.Wake(_process.Id);

    /// <summary>SIGTERM, then SIGKILL if it has not stopped within <paramref name="grace"/>; true when it stopped by itself.</summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            await WaitForExitAsync(DrainLimit, CancellationToken.None);
            return true;
        }

        PosixSignals.Terminate(_process.Id);
        if (await WaitForExitAsync(grace, CancellationToken.None))
        {
            return true;
        }

        Kill();
        await WaitForExitAsync(DrainLimit, CancellationToken.None);
        return false;
    }

    /// <summary>The exit state, the last lines of stderr and where the logs are.</summary>
    public string Describe()
    {
        var state = _process.HasExited ? $"exit code {_process.ExitCode}" : "still running";
        var tail = Tail(StderrLog, 12);
        return $"({state}; stderr: {StderrLog}){(tail.Length > 0 ? Environment.NewLine + tail : "")}";
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        await WaitForExitAsync(DrainLimit, CancellationToken.None);
        _process.Dispose();
    }

    private static string Tail(string path, int count)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return string.Join(Environment.NewLine, lines.TakeLast(count).Select(l => "    | " + l.TrimEnd('\r')));
        }
        catch (IOException)
        {
            return "";
        }
    }

    private async Task ReadStdoutAsync()
    {
        await using var log = new StreamWriter(new FileStream(StdoutLog, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1)) { AutoFlush = true };
        try
        {
            while (await _process.StandardOutput.ReadLineAsync() is { } line)
            {
                await log.WriteLineAsync(line);
                Signal(() => _lines.Add(line));
            }
        }
        finally
        {
            Signal(() => _stdoutEnded = true);
        }
    }

    private async Task CopyStderrAsync()
    {
        await using var log = new FileStream(StderrLog, FileMode.Create, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
        await _process.StandardError.BaseStream.CopyToAsync(log);
    }

    private void Signal(Action change)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            change();
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
