namespace Backfill.Simulators;

/// <summary>
/// A strict sliding window as platforms enforce it: a call is admitted while fewer than <see cref="Limit"/> admitted
/// calls have timestamps t with now − t &lt; window. Refused calls leave no trace. Thread-safe.
/// </summary>
internal sealed class SlidingWindowCounter
{
    private readonly Queue<long> _admitted = new();
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _window;

    /// <param name="limit">Calls per window; <see cref="int.MaxValue"/> counts without refusing.</param>
    /// <param name="time">The clock.</param>
    /// <param name="window">The window's length; one second unless given.</param>
    public SlidingWindowCounter(int limit, TimeProvider time, TimeSpan? window = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        Limit = limit;
        _window = window ?? TimeSpan.FromSeconds(1);
        _time = time;
    }

    public int Limit { get; }

    /// <summary>Admitted calls inside the window now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                Evict(_time.GetTimestamp());
                return _admitted.Count;
            }
        }
    }

    public bool HasRoom() => Count < Limit;

    /// <summary>Admits a call if the window has room.</summary>
    public bool TryAcquire() => TryAcquire(out _);

    /// <summary>Admits a call if the window has room; <paramref name="inWindow"/> is the count right after, read under the same lock.</summary>
    public bool TryAcquire(out int inWindow)
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            Evict(now);
            if (_admitted.Count >= Limit)
            {
                inWindow = _admitted.Count;
                return false;
            }

            _admitted.Enqueue(now);
            inWindow = _admitted.Count;
            return true;
        }
    }

    private void Evict(long now)
    {
        while (_admitted.Count > 0 && _time.GetElapsedTime(_admitted.Peek(), now) >= _window)
        {
            _admitted.Dequeue();
        }
    }
}
