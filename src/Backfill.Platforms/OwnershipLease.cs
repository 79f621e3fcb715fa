namespace Backfill.Platforms;

/// <summary>
/// Whether a worker may still call for the lanes of one Kafka consumer's partitions. Kafka gives a member's partitions to
/// another member once its session passed without a heartbeat; a process that was stopped whole (SIGSTOP, a paused VM, a
/// stalled host) does not know that it was, and when it runs again its waits are over and its lane windows empty. So a
/// call starts only while the lease is held: the consumer's poll loop renewed it less than <see cref="Length"/> ago, and
/// has been renewing it without a gap of <see cref="Length"/> or more for at least <see cref="Length"/>. After such a gap
/// the loop must poll on for <see cref="Length"/> first: by then the client has heard from the group coordinator, and a
/// lost assignment has reached the loop, which cancels the lost partitions' steps (docs/rate-budget.md, "Frozen worker").
/// Time is the monotonic clock (<see cref="TimeProvider.GetTimestamp"/>), which no change of the wall clock moves.
/// </summary>
public sealed class OwnershipLease
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private long? _renewed;
    private long _since;
    private TaskCompletionSource? _waiters;

    public OwnershipLease(TimeSpan length, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(length, TimeSpan.Zero);
        Length = length;
        _time = time;
    }

    /// <summary>How recent the last renewal must be, and how long renewals must have gone on without a gap.</summary>
    public TimeSpan Length { get; }

    public bool IsHeld
    {
        get
        {
            lock (_lock)
            {
                return Held(_time.GetTimestamp());
            }
        }
    }

    /// <summary>
    /// The lease for a group whose members' sessions last <paramref name="session"/> and who heartbeat every
    /// <paramref name="heartbeat"/>: a third of what a session leaves after one heartbeat interval. A member that renews it
    /// keeps heartbeating within <paramref name="heartbeat"/> + length, and the two thirds left are for the network
    /// (docs/rate-budget.md).
    /// </summary>
    public static TimeSpan LengthFor(TimeSpan session, TimeSpan heartbeat)
    {
        if (heartbeat >= session)
        {
            throw new ArgumentOutOfRangeException(nameof(heartbeat), heartbeat, $"the heartbeat interval must be shorter than the session ({session})");
        }

        return (session - heartbeat) / 3;
    }

    /// <summary>
    /// The consumer's poll loop is running and its assignment is as the client knows it. Returns the gap since the previous
    /// renewal when it was <see cref="Length"/> or more (the lease must be confirmed again), else null.
    /// </summary>
    public TimeSpan? Renew()
    {
        TaskCompletionSource? waiters = null;
        TimeSpan? gap = null;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (_renewed is not { } renewed || _time.GetElapsedTime(renewed, now) >= Length)
            {
                gap = _renewed is { } last ? _time.GetElapsedTime(last, now) : null;
                _since = now;
            }

            _renewed = now;
            if (Held(now))
            {
                (waiters, _waiters) = (_waiters, null);
            }
        }

        waiters?.TrySetResult();
        return gap;
    }

    /// <summary>Returns once the lease is held (at once when it is).</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task renewed;
            lock (_lock)
            {
                if (Held(_time.GetTimestamp()))
                {
                    return;
                }

                _waiters ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                renewed = _waiters.Task;
            }

            await renewed.WaitAsync(cancellationToken);
        }
    }

    private bool Held(long now) =>
        _renewed is { } renewed
        && _time.GetElapsedTime(renewed, now) < Length
        && _time.GetElapsedTime(_since, renewed) >= Length;
}
