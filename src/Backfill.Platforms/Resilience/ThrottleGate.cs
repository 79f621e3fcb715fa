namespace Backfill.Platforms.Resilience;

/// <summary>
/// Holds every call of one platform in this process after a throttle answer, until the platform's Retry-After has passed:
/// a platform that sees a client keep calling after a throttle bans it.
/// </summary>
internal sealed class ThrottleGate(TimeProvider time)
{
    private readonly Lock _lock = new();
    private DateTimeOffset _closedUntil = DateTimeOffset.MinValue;
    private int _waiting;

    public DateTimeOffset ClosedUntil
    {
        get
        {
            lock (_lock)
            {
                return _closedUntil;
            }
        }
    }

    public bool IsOpen => time.GetUtcNow() >= ClosedUntil;

    /// <summary>Callers held by the pause right now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Closes the gate for <paramref name="pause"/> from now; never shortens a pause already running.</summary>
    public void Close(TimeSpan pause)
    {
        var until = time.GetUtcNow() + pause;
        lock (_lock)
        {
            if (until > _closedUntil)
            {
                _closedUntil = until;
            }
        }
    }

    public async ValueTask WaitUntilOpenAsync(CancellationToken cancellationToken)
    {
        // Loops because another throttle may extend the pause while this caller sleeps.
        while (ClosedUntil - time.GetUtcNow() is var remaining && remaining > TimeSpan.Zero)
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                await Task.Delay(remaining, time, cancellationToken);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }
    }
}
