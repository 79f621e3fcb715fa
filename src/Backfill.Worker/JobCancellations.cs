namespace Backfill.Worker;

/// <summary>
/// The jobs this process heard were cancelled on the control topic (R4). A step of such a job is dropped before its first
/// call, and a step under way stops before its next page: <see cref="Watch"/> gives it a token cancelled when its job
/// is. Steps wait for <see cref="Ready"/>: until the control topic has been read to where it stood when this process
/// started, a cancel announced earlier may not be known yet.
/// </summary>
internal sealed class JobCancellations
{
    private readonly Lock _lock = new();
    private readonly HashSet<string> _cancelled = new(StringComparer.Ordinal);

    // Only jobs with a step running here have a source; it goes when their last step ends, so the map stays small.
    private readonly Dictionary<string, (CancellationTokenSource Source, int Steps)> _watched = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the control topic has been read up to its end at start (or that could not be told).</summary>
    public Task Ready => _ready.Task;

    public void MarkReady() => _ready.TrySetResult();

    public bool IsCancelled(string job)
    {
        lock (_lock)
        {
            return _cancelled.Contains(job);
        }
    }

    /// <summary>Records the cancel; steps of the job under way see their token cancelled. True the first time.</summary>
    public bool Cancel(string job)
    {
        CancellationTokenSource? running;
        lock (_lock)
        {
            if (!_cancelled.Add(job))
            {
                return false;
            }

            running = _watched.TryGetValue(job, out var watched) ? watched.Source : null;
        }

        // Outside the lock: cancelling runs the steps' callbacks. A source disposed meanwhile had no step left to stop.
        try
        {
            running?.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        return true;
    }

    /// <summary>A token cancelled when <paramref name="job"/> is (at once if it already is), for one step; dispose it when the step ends.</summary>
    public Lease Watch(string job)
    {
        lock (_lock)
        {
            if (!_watched.TryGetValue(job, out var watched))
            {
                watched = (new CancellationTokenSource(), 0);
                if (_cancelled.Contains(job))
                {
                    watched.Source.Cancel();
                }
            }

            _watched[job] = (watched.Source, watched.Steps + 1);
            return new Lease(this, job, watched.Source.Token);
        }
    }

    private void Unwatch(string job)
    {
        lock (_lock)
        {
            if (!_watched.TryGetValue(job, out var watched))
            {
                return;
            }

            if (watched.Steps > 1)
            {
                _watched[job] = (watched.Source, watched.Steps - 1);
                return;
            }

            _watched.Remove(job);
            watched.Source.Dispose();
        }
    }

    /// <summary>One step's watch on its job.</summary>
    public sealed class Lease(JobCancellations owner, string job, CancellationToken token) : IDisposable
    {
        private int _disposed;

        public CancellationToken Token { get; } = token;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unwatch(job);
            }
        }
    }
}
