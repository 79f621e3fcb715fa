namespace Backfill.Platforms.Configuration;

/// <summary>
/// A platform's call budget, bound from <c>Platforms:{name}:RateLimit</c>. With <see cref="RateLimitScope.Fleet"/> (the
/// default) it holds for every worker process together: the budget is split into <see cref="Lanes"/>, and a lane's calls
/// are made only by the one group member that owns its partition (docs/rate-budget.md).
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>The platform's limit in calls per second, counted over a sliding second. Required, greater than 0.</summary>
    public double PermitsPerSecond { get; set; }

    /// <summary>The platform's limit per shop in calls per second; unset (default) when the platform has none. Nested inside a lane: a shop then always uses the same lane.</summary>
    public double? PerShopPermitsPerSecond { get; set; }

    /// <summary>
    /// Lanes the budget is split into, each with its own share and its own action-topic partition, so that up to this many
    /// worker consumers can call the platform at once. At most ⌊PermitsPerSecond⌋. Default min(8, ⌊PermitsPerSecond⌋).
    /// </summary>
    public int? Lanes { get; set; }

    /// <summary>Who the budget binds. Default <see cref="RateLimitScope.Fleet"/>.</summary>
    public RateLimitScope Scope { get; set; } = RateLimitScope.Fleet;

    /// <summary>The fraction of the limit left unused, for other clients of the same partner key, 0 ≤ margin &lt; 1. Default 0: the accounting is exact (docs/rate-budget.md).</summary>
    public double SafetyMargin { get; set; }

    /// <summary>
    /// True when the fleet refreshes shop tokens (<c>Backfill:SecretKey</c> is set): the lanes then leave one call per window
    /// to the scheduler's token calls (the lane plan's token calls). Not a setting of its own: taken from the key's
    /// presence, which every process of the fleet shares, so every process computes the same lanes.
    /// </summary>
    public bool ReservesTokenCall { get; private set; }

    /// <summary>
    /// The app's quotas per period beside the rate (calls per day, per minute), held by the whole fleet: the scheduler grants
    /// each worker process calls of the quota before it makes them (docs/rate-budget.md, "Quotas"). Default none.
    /// </summary>
    public List<QuotaOptions> Quotas { get; set; } = [];

    /// <summary>
    /// The part of each quota backfills may spend, 0 &lt; share ≤ 1; the rest is left to the app's other clients (the
    /// sellers' live sync). Default 0.8.
    /// </summary>
    public double BackfillShare { get; set; } = 0.8;

    /// <summary>
    /// Where in a call the platform counts it, which decides how long a call holds its place in a lane's window. Default
    /// <see cref="RateLimitCounting.Strict"/>, the safe choice while nothing is known (docs/rate-budget.md).
    /// </summary>
    public RateLimitCounting Counting { get; set; } = RateLimitCounting.Strict;

    /// <summary>
    /// With <see cref="RateLimitCounting.Arrival"/>: by how much a request's delay from its start here to its arrival at the
    /// platform may vary (network, connection set-up, a paused process), 0 ≤ jitter &lt; the window. A call then holds its place
    /// for one window plus this from its start. Default 50 ms.
    /// </summary>
    public TimeSpan ArrivalJitter { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How throttle answers slow the platform down.</summary>
    public ThrottleOptions Throttle { get; set; } = new();

    /// <summary>
    /// Sets <see cref="ReservesTokenCall"/> from the fleet's configuration. A method rather than a setter, so that the
    /// configuration binder never takes it from a key of the section.
    /// </summary>
    public void ReserveTokenCall(bool reserves) => ReservesTokenCall = reserves;

    public override string ToString() =>
        $"PermitsPerSecond={PermitsPerSecond}, PerShopPermitsPerSecond={PerShopPermitsPerSecond}, Lanes={Lanes}, Scope={Scope}, SafetyMargin={SafetyMargin}, Counting={Counting}, ArrivalJitter={ArrivalJitter}, ReservesTokenCall={ReservesTokenCall}, Quotas=[{string.Join("; ", Quotas)}], BackfillShare={BackfillShare}, Throttle=({Throttle})";
}

/// <summary>Where in a call the platform counts it against its limit.</summary>
public enum RateLimitCounting
{
    /// <summary>
    /// Anywhere between its start and its answer: a call holds its place from its start until one window after its answer,
    /// so a lane makes at most share calls per (window + latency).
    /// </summary>
    Strict,

    /// <summary>
    /// When its request arrives, within <see cref="RateLimitOptions.ArrivalJitter"/> of the same delay after its start for
    /// every call: a call holds its place for one window plus the jitter from its start, whatever its answer's latency.
    /// </summary>
    Arrival,
}

/// <summary>Who a platform's budget binds.</summary>
public enum RateLimitScope
{
    /// <summary>All worker processes together (lanes). The only safe choice with more than one worker process.</summary>
    Fleet,

    /// <summary>
    /// Each process on its own, as if it were the only client: W processes may together send W times the limit (incident R2).
    /// Kept for one worker process that must use the whole budget with few shops, and as the fleet benchmark's naive baseline.
    /// </summary>
    Process,
}
