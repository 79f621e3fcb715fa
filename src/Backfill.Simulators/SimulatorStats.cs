using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Backfill.Simulators;

/// <summary>What the simulator answered; safe to read while it runs.</summary>
public sealed class SimulatorStats
{
    private const long NoTime = long.MinValue;

    private long _accepted;
    private long _refused;
    private long _forcedThrottles;
    private long _errors;
    private long _refreshes;
    private long _refusedRefreshes;
    private long _expired;
    private long _quotaRefused;
    private int _peakCallsPerSecond;
    private int _peakArrivalsPerSecond;
    private long _firstAcceptedTicks = NoTime;
    private long _lastAcceptedTicks = NoTime;
    private readonly ConcurrentDictionary<string, StrongBox<long>> _acceptedByShop = new(StringComparer.Ordinal);

    /// <summary>Calls admitted by the call limit (they count against it), whatever they were answered.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Calls answered 429 because the call limit was reached.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Calls answered 429 because <see cref="SimulatorSwitches.ThrottleEverything"/> was on.</summary>
    public long ForcedThrottles => Interlocked.Read(ref _forcedThrottles);

    /// <summary>Admitted calls answered with an error: invalid, unauthorized or an injected failure.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Token refreshes answered with new tokens.</summary>
    public long Refreshes => Interlocked.Read(ref _refreshes);

    /// <summary>Token refreshes refused: a refresh token that was never issued, or one already used (rotated away).</summary>
    public long RefusedRefreshes => Interlocked.Read(ref _refusedRefreshes);

    /// <summary>Calls answered "expired": an access token past its life, or a shop switched to <see cref="SimulatorSwitches.ExpiredTokenShops"/>.</summary>
    public long ExpiredAnswers => Interlocked.Read(ref _expired);

    /// <summary>Calls refused because a quota of the app's calls per period was spent (they count against neither the quota nor the call limit).</summary>
    public long QuotaRefused => Interlocked.Read(ref _quotaRefused);

    /// <summary>The most calls admitted within any sliding second so far (partner-wide).</summary>
    public int PeakCallsPerSecond => Volatile.Read(ref _peakCallsPerSecond);

    /// <summary>
    /// The most calls that arrived within any sliding second so far (partner-wide), refused and forced throttles
    /// included: what the fleet sent, where <see cref="PeakCallsPerSecond"/> is what the limit let through.
    /// </summary>
    public int PeakArrivalsPerSecond => Volatile.Read(ref _peakArrivalsPerSecond);

    /// <summary>When the first admitted call arrived; null before any.</summary>
    public DateTimeOffset? FirstAcceptedAt => At(Interlocked.Read(ref _firstAcceptedTicks));

    /// <summary>When the latest admitted call arrived; null before any.</summary>
    public DateTimeOffset? LastAcceptedAt => At(Interlocked.Read(ref _lastAcceptedTicks));

    /// <summary>All counters read at once.</summary>
    public SimulatorStatsSnapshot Snapshot() =>
        new(Accepted, Refused, ForcedThrottles, Errors, PeakCallsPerSecond, PeakArrivalsPerSecond, FirstAcceptedAt, LastAcceptedAt, Refreshes, RefusedRefreshes, ExpiredAnswers, QuotaRefused);

    /// <summary>A call reached the simulator; <paramref name="arrivalsInWindow"/> counts the arrivals in the sliding second ending with it.</summary>
    internal void Arrive(int arrivalsInWindow) => RaiseTo(ref _peakArrivalsPerSecond, arrivalsInWindow);

    /// <summary>Calls admitted for one shop (its <c>shop_id</c>), e.g. to count a slice's calls after a cancel (R4).</summary>
    public long AcceptedFor(string shopId) => _acceptedByShop.TryGetValue(shopId, out var count) ? Interlocked.Read(ref count.Value) : 0;

    internal void Accept(int callsInWindow, DateTimeOffset at, string shopId = "")
    {
        Interlocked.Increment(ref _accepted);
        Interlocked.Increment(ref _acceptedByShop.GetOrAdd(shopId, _ => new StrongBox<long>()).Value);
        RaiseTo(ref _peakCallsPerSecond, callsInWindow);

        var ticks = at.UtcTicks;
        var first = Interlocked.Read(ref _firstAcceptedTicks);
        while (first == NoTime || ticks < first)
        {
            var seen = Interlocked.CompareExchange(ref _firstAcceptedTicks, ticks, first);
            if (seen == first)
            {
                break;
            }

            first = seen;
        }

        var last = Interlocked.Read(ref _lastAcceptedTicks);
        while (ticks > last)
        {
            var seen = Interlocked.CompareExchange(ref _lastAcceptedTicks, ticks, last);
            if (seen == last)
            {
                break;
            }

            last = seen;
        }
    }

    internal void Refuse() => Interlocked.Increment(ref _refused);

    internal void RefuseQuota() => Interlocked.Increment(ref _quotaRefused);

    internal void ForceThrottle() => Interlocked.Increment(ref _forcedThrottles);

    internal void Error() => Interlocked.Increment(ref _errors);

    internal void Refreshed() => Interlocked.Increment(ref _refreshes);

    internal void RefreshRefused() => Interlocked.Increment(ref _refusedRefreshes);

    internal void Expired() => Interlocked.Increment(ref _expired);

    private static DateTimeOffset? At(long utcTicks) => utcTicks == NoTime ? null : new DateTimeOffset(utcTicks, TimeSpan.Zero);

    private static void RaiseTo(ref int peak, int value)
    {
        var current = Volatile.Read(ref peak);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref peak, value, current);
            if (seen == current)
            {
                break;
            }

            current = seen;
        }
    }
}

/// <summary>The simulator's counters at one moment; also served as JSON at <c>GET /sim/stats</c>.</summary>
/// <param name="Accepted">Calls admitted by the call limit.</param>
/// <param name="Refused">Calls refused by the call limit.</param>
/// <param name="ForcedThrottles">Calls refused because every call was to be throttled.</param>
/// <param name="Errors">Admitted calls answered with an error.</param>
/// <param name="PeakCallsPerSecond">The most admitted calls in any sliding second.</param>
/// <param name="PeakArrivalsPerSecond">The most arriving calls (refused included) in any sliding second.</param>
/// <param name="FirstAcceptedAt">When the first admitted call arrived; null before any.</param>
/// <param name="LastAcceptedAt">When the latest admitted call arrived; null before any.</param>
/// <param name="Refreshes">Token refreshes answered with new tokens.</param>
/// <param name="RefusedRefreshes">Token refreshes refused (a refresh token unknown or already used).</param>
/// <param name="ExpiredAnswers">Calls answered "expired" (an access token past its life).</param>
/// <param name="QuotaRefused">Calls refused because a quota per period was spent.</param>
public sealed record SimulatorStatsSnapshot(
    long Accepted,
    long Refused,
    long ForcedThrottles,
    long Errors,
    int PeakCallsPerSecond,
    int PeakArrivalsPerSecond = 0,
    DateTimeOffset? FirstAcceptedAt = null,
    DateTimeOffset? LastAcceptedAt = null,
    long Refreshes = 0,
    long RefusedRefreshes = 0,
    long ExpiredAnswers = 0,
    long QuotaRefused = 0);
