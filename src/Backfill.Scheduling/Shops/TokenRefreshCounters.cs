namespace Backfill.Scheduling.Shops;

/// <summary>The refresher's outcomes since the scheduler started, for <c>/metrics</c> (<c>backfill_token_refreshes_total{outcome}</c>).</summary>
public sealed class TokenRefreshCounters
{
    private long _ok;
    private long _refused;
    private long _failed;

    /// <summary>Refreshes that bought new tokens.</summary>
    public long Ok => Interlocked.Read(ref _ok);

    /// <summary>Refreshes the platform refused: the shop needs its seller to authorise the app again.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Refreshes not answered (timeouts, 5xx, throttles) or whose refresh token could not be opened; tried again.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    internal void Succeeded() => Interlocked.Increment(ref _ok);

    internal void WasRefused() => Interlocked.Increment(ref _refused);

    internal void HasFailed() => Interlocked.Increment(ref _failed);
}
