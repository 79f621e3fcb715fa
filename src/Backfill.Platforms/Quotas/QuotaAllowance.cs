namespace Backfill.Platforms.Quotas;

/// <summary>
/// The calls of a platform's quotas this process holds: granted by the scheduler's <see cref="QuotaLedger"/>, good until
/// the grant's end less <see cref="QuotaPlan.EdgeMargin"/>, one taken per call. When few are left it asks for more
/// (<see cref="AskFor"/>), at most once per <see cref="AskAgainAfter"/> while no grant comes.
/// </summary>
internal sealed class QuotaAllowance(QuotaPlan plan, TimeProvider time)
{
    /// <summary>An ask with no answer is made again after this: the scheduler may have been away or the ask lost.</summary>
    public static readonly TimeSpan AskAgainAfter = TimeSpan.FromSeconds(1);

    private readonly Lock _lock = new();
    private DateTimeOffset _end = DateTimeOffset.MinValue;
    private long _granted;
    private long _used;
    private long? _askedAt;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>True when the platform has quotas: every call then needs a granted one.</summary>
    public bool IsActive => !plan.IsEmpty;

    /// <summary>Calls held and not used, now (none once the grant's last start has passed).</summary>
    public long Left
    {
        get
        {
            lock (_lock)
            {
                return LeftNow();
            }
        }
    }

    /// <summary>Takes one call of the grant; false when none is held now.</summary>
    public bool TryTake()
    {
        lock (_lock)
        {
            if (LeftNow() <= 0)
            {
                return false;
            }

            _used++;
            return true;
        }
    }

    /// <summary>
    /// A grant heard: <paramref name="calls"/> in all until <paramref name="end"/>. A later end starts a new grant; the same
    /// end with more calls adds to it; anything older is ignored (messages may come twice or late).
    /// </summary>
    public bool Granted(DateTimeOffset end, long calls)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (end > _end)
            {
                (_end, _granted, _used) = (end, calls, 0);
            }
            else if (end == _end && calls > _granted)
            {
                _granted = calls;
            }
            else
            {
                return false;
            }

            _askedAt = null;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return true;
    }

    /// <summary>
    /// How many calls to ask for now, or 0: asks when fewer than half of <paramref name="want"/> are left and no ask is
    /// waiting for its answer (or it waited <see cref="AskAgainAfter"/>).
    /// </summary>
    public long AskFor(long want)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (LeftNow() * 2 >= want || (_askedAt is { } asked && time.GetElapsedTime(asked, now) < AskAgainAfter))
            {
                return 0;
            }

            _askedAt = now;
            return Math.Max(1, want);
        }
    }

    /// <summary>Waits for the next grant, at most <paramref name="limit"/>.</summary>
    public async Task WaitForGrantAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        Task changed;
        lock (_lock)
        {
            changed = _changed.Task;
        }

        try
        {
            await changed.WaitAsync(limit, time, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
    }

    private long LeftNow() => _end != DateTimeOffset.MinValue && time.GetUtcNow() < QuotaPlan.LastStart(_end) ? Math.Max(0, _granted - _used) : 0;
}
