using System.Diagnostics.CodeAnalysis;

namespace Backfill.Platforms.Resilience;

/// <summary>
/// Keeps this process's calls within a platform's strict sliding window however long they take. The platform counts a
/// call when it arrives, which is after the call starts and before its answer is back; so a call is counted here from
/// its start until one window after it ended. A new call starts only while fewer than <see cref="Limit"/> calls are
/// counted: then, whatever the latencies, no window of the platform can hold more than <see cref="Limit"/> of them.
/// The price is throughput: with latency L the window admits at most Limit calls per (window + L).
/// </summary>
internal sealed class CallWindow
{
    private readonly Lock _lock = new();
    private readonly Queue<long> _ended = new();
    private readonly TimeProvider _time;
    private readonly Func<(int Limit, TimeSpan Window)> _capacity;
    private int _inFlight;
    private TaskCompletionSource _callEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CallWindow(int limit, TimeSpan window, TimeProvider time)
        : this(Fixed(limit, window), time)
    {
    }

    /// <summary>A window whose capacity may change (a slowed-down rate is fewer calls, or a longer window); a smaller one applies at once to the calls already counted.</summary>
    public CallWindow(Func<(int Limit, TimeSpan Window)> capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity().Limit, 1);
        _capacity = capacity;
        _time = time;
    }

    public int Limit => _capacity().Limit;

    public TimeSpan Window => _capacity().Window;

    /// <summary>Calls in flight or ended less than a window ago.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                Evict(_time.GetTimestamp(), Window);
                return _inFlight + _ended.Count;
            }
        }
    }

    /// <summary>Starts a call if there is room; dispose the call when its answer is in (or it failed).</summary>
    public bool TryStart([NotNullWhen(true)] out Call? call)
    {
        lock (_lock)
        {
            var (limit, window) = _capacity();
            Evict(_time.GetTimestamp(), window);
            if (_inFlight + _ended.Count >= limit)
            {
                call = null;
                return false;
            }

            _inFlight++;
            call = new Call(this);
            return true;
        }
    }

    /// <summary>Returns once there may be room: when the oldest ended call leaves the window, or, with every counted call still in flight, when one ends.</summary>
    public async ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        TimeSpan delay;
        Task callEnded;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var (limit, window) = _capacity();
            Evict(now, window);
            if (_inFlight + _ended.Count < limit)
            {
                return;
            }

            // With fewer places than counted calls (the capacity shrank), room comes when enough of them have left.
            var leaving = _inFlight + _ended.Count - limit;
            delay = _ended.Count > leaving ? window - _time.GetElapsedTime(_ended.ElementAt(leaving), now) : TimeSpan.Zero;
            callEnded = _callEnded.Task;
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time, cancellationToken);
        }
        else
        {
            await callEnded.WaitAsync(cancellationToken);
        }
    }

    private void End(bool counted)
    {
        TaskCompletionSource ended;
        lock (_lock)
        {
            _inFlight--;
            if (counted)
            {
                _ended.Enqueue(_time.GetTimestamp());
            }

            ended = _callEnded;
            _callEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        ended.TrySetResult();
    }

    private void Evict(long now, TimeSpan window)
    {
        while (_ended.Count > 0 && _time.GetElapsedTime(_ended.Peek(), now) >= window)
        {
            _ended.Dequeue();
        }
    }

    private static Func<(int, TimeSpan)> Fixed(int limit, TimeSpan window) => () => (limit, window);

    /// <summary>One started call; disposing it marks its end (once).</summary>
    internal sealed class Call(CallWindow window) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                window.End(counted: true);
            }
        }

        /// <summary>Gives the place back uncounted: the call never went out (another window had no room).</summary>
        public void Cancel()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                window.End(counted: false);
            }
        }
    }
}
