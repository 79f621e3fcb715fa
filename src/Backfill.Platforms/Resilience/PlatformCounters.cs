namespace Backfill.Platforms.Resilience;

/// <summary>What one platform's calls did in this process; safe to update from any thread.</summary>
internal sealed class PlatformCounters
{
    private long _calls;
    private long _throttled;
    private long _transientErrors;
    private long _permanentErrors;
    private long _tokensExpired;
    private long _quotaRefused;
    private long _leftLate;

    public void Call() => Interlocked.Increment(ref _calls);

    /// <summary>Counts a request that left this process late for counting on arrival; returns how many have so far.</summary>
    public long LeftLate() => Interlocked.Increment(ref _leftLate);

    public void Failed(PlatformErrorKind kind)
    {
        switch (kind)
        {
            case PlatformErrorKind.Throttle:
                Interlocked.Increment(ref _throttled);
                break;
            case PlatformErrorKind.Transient:
                Interlocked.Increment(ref _transientErrors);
                break;
            case PlatformErrorKind.TokenExpired:
                Interlocked.Increment(ref _tokensExpired);
                break;
            case PlatformErrorKind.Quota:
                Interlocked.Increment(ref _quotaRefused);
                break;
            default:
                Interlocked.Increment(ref _permanentErrors);
                break;
        }
    }

    public PlatformCallStats Snapshot() => new(
        Interlocked.Read(ref _calls),
        Interlocked.Read(ref _throttled),
        Interlocked.Read(ref _transientErrors),
        Interlocked.Read(ref _permanentErrors),
        Interlocked.Read(ref _tokensExpired),
        Interlocked.Read(ref _quotaRefused),
        Interlocked.Read(ref _leftLate));
}
