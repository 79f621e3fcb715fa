using System.Collections.Concurrent;

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
    private readonly ConcurrentDictionary<string, ShopTally> _byShop = new(StringComparer.Ordinal);

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
    public long AcceptedFor(string shopId) => _byShop.TryGetValue(shopId, out var tally) ? Interlocked.Read(ref tally.Count) : 0;

    /// <summary>Each shop's admitted calls and when its first and latest arrived, by shop id; calls without a shop (token refreshes) are not among them.</summary>
    public IReadOnlyList<ShopCallsSnapshot> Shops() =>
        [.. _byShop.Where(s => s.Key.Length > 0 && Interlocked.Read(ref s.Value.Count) > 0)
            .Select(s => new ShopCallsSnapshot(s.Key, Interlocked.Read(ref s.Value.Count), At(Interlocked.Read(ref s.Value.FirstTicks))!.Value, At(Interlocked.Read(ref s.Value.LastTicks))!.Value))
            .OrderBy(s => s.Shop, StringComparer.Ordinal)];

    internal void Accept(int callsInWindow, DateTimeOffset at, string shopId = "")
    {
        Interlocked.Increment(ref _accepted);
        RaiseTo(ref _peakCallsPerSecond, callsInWindow);
        var ticks = at.UtcTicks;
        Span(ref _firstAcceptedTicks, ref _lastAcceptedTicks, ticks);
        var shop = _byShop.GetOrAdd(shopId, _ => new ShopTally());
        Span(ref shop.FirstTicks, ref shop.LastTicks, ticks);
        Interlocked.Increment(ref shop.Count);
    }

    internal void Refuse() => Interlocked.Increment(ref _refused);

    internal void RefuseQuota() => Interlocked.Increment(ref _quotaRefused);

    internal void ForceThrottle() => Interlocked.Increment(ref _forcedThrottles);

    internal void Error() => Interlocked.Increment(ref _errors);

    internal void Refreshed() => Interlocked.Increment(ref _refreshes);

    internal void RefreshRefused() => Interlocked.Increment(ref _refusedRefreshes);

    internal void Expired() => Interlocked.Increment(ref _expired);

    private static DateTimeOffset? At(long utcTicks) => utcTicks == NoTime ? null : new DateTimeOffset(utcTicks, TimeSpan.Zero);

    private sealed class ShopTally
    {
        public long Count;
        public long FirstTicks = NoTime;
        public long LastTicks = NoTime;
    }

    /// <summary>Widens [first, last] to hold <paramref name="ticks"/>, whichever thread gets there first.</summary>
    private static void Span(ref long first, ref long last, long ticks)
    {
        MoveTo(ref first, ticks, static (value, seen) => seen == NoTime || value < seen);
        MoveTo(ref last, ticks, static (value, seen) => value > seen);
    }

    private static void MoveTo(ref long field, long value, Func<long, long, bool> better)
    {
        var seen = Interlocked.Read(ref field);
        while (better(value, seen))
        {
            var now = Interlocked.CompareExchange(ref field, value, seen);
            if (now == seen)
            {
                break;
            }

            seen = now;
        }
    }

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

/// <summary>One shop's admitted calls: how many, and when the first and latest arrived.</summary>
/// <param name="Shop">The shop's id as the calls named it.</param>
/// <param name="Accepted">Its calls admitted by the call limits.</param>
/// <param name="FirstAcceptedAt">When its first admitted call arrived.</param>
/// <param name="LastAcceptedAt">When its latest admitted call arrived.</param>
public sealed record ShopCallsSnapshot(string Shop, long Accepted, DateTimeOffset FirstAcceptedAt, DateTimeOffset LastAcceptedAt);

/// <summary>The body of <c>GET /sim/stats/shops</c>.</summary>
public sealed record SimulatorShopsSnapshot(IReadOnlyList<ShopCallsSnapshot> Shops);
