using Backfill.Core.Hashing;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;

namespace Backfill.Platforms;

/// <summary>
/// The arithmetic of a platform's fleet-wide budget (docs/rate-budget.md). The limit becomes <see cref="Calls"/> calls per
/// <see cref="Window"/>; while the fleet refreshes tokens, <see cref="TokenCalls"/> of them are kept for the scheduler's
/// token calls, and the rest, <see cref="LaneCalls"/>, is split into <see cref="Lanes"/> integer shares that add up to it
/// exactly. Each lane lives on one action-topic partition, so one group member at a time calls for it; if every lane keeps
/// its share and the refresher its call in every window, the fleet keeps the limit in every window.
/// </summary>
public sealed class LanePlan
{
    /// <summary>Platforms count calls per sliding second.</summary>
    public static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    private const int DefaultMaxLanes = 8;

    private readonly RateLimitOptions _limit;

    // Lanes 0 .. _largerLanes - 1 have the larger share under the configured limit: a shop's extra calls go there first.
    private readonly int _largerLanes;

    private LanePlan(RateLimitOptions limit, double permitsPerSecond, double safetyMargin, LanePlan? kept)
    {
        _limit = limit;
        PermitsPerSecond = permitsPerSecond;
        SafetyMargin = safetyMargin;
        (Calls, Window) = Budget(permitsPerSecond, safetyMargin);

        // With one call per window there is nothing to keep: the refresher's rare call may then make two (docs/rate-budget.md).
        TokenCalls = limit.ReservesTokenCall && Calls >= 2 ? 1 : 0;
        Lanes = kept?.Lanes ?? limit.Lanes ?? Math.Min(DefaultMaxLanes, LaneCalls);
        _largerLanes = kept?._largerLanes ?? (LaneCalls >= Lanes ? LaneCalls % Lanes : 0);
        Scope = limit.Scope;
        Counting = CallCounting.For(limit);
        if (limit.PerShopPermitsPerSecond is > 0 and var perShop)
        {
            (ShopCalls, ShopWindow) = Budget(perShop, safetyMargin);
            ShopLanes = kept?.ShopLanes ?? Math.Min(Lanes, ShopCalls.Value);
        }
    }

    /// <summary>The limit this plan keeps: the configured one, or the one an operator set while running.</summary>
    public double PermitsPerSecond { get; }

    /// <summary>
    /// The share of the limits kept for the partner key's other clients (the sellers' live sync): the configured
    /// <c>RateLimit:SafetyMargin</c>, or the one an operator set while running.
    /// </summary>
    public double SafetyMargin { get; }

    /// <summary>The configured <c>RateLimit:SafetyMargin</c>.</summary>
    public double ConfiguredSafetyMargin => _limit.SafetyMargin;

    /// <summary>Calls the whole budget allows per <see cref="Window"/>.</summary>
    public int Calls { get; }

    /// <summary>Calls per window kept for the scheduler's token calls: 1 while the fleet refreshes tokens and the budget has 2 or more, else 0.</summary>
    public int TokenCalls { get; }

    /// <summary>Calls per window the lanes share: <see cref="Calls"/> less <see cref="TokenCalls"/>.</summary>
    public int LaneCalls => Calls - TokenCalls;

    /// <summary>One second, or longer for limits under one call per second (1 call per 1/rate seconds).</summary>
    public TimeSpan Window { get; }

    public int Lanes { get; }

    public RateLimitScope Scope { get; }

    /// <summary>How long a call holds its place in the windows: strict, or from its start for a window + jitter when the platform counts on arrival.</summary>
    public CallCounting Counting { get; }

    /// <summary>Calls one shop allows per <see cref="ShopWindow"/>; null without a per-shop limit.</summary>
    public int? ShopCalls { get; }

    public TimeSpan ShopWindow { get; }

    /// <summary>
    /// How many lanes a shop's limit is split over under a per-shop limit, min(<see cref="Lanes"/>, <see cref="ShopCalls"/>)
    /// as configured (a live change keeps it, as it keeps the lanes); 0 without a per-shop limit.
    /// </summary>
    public int ShopLanes { get; }

    /// <summary>
    /// With a per-shop limit a shop's slices use only the shop's lanes (<see cref="LanesOf"/>), each holding the shop's share
    /// there (<see cref="ShopShare"/>), so every part of the shop's limit is kept by one owner; without, the scheduler gives
    /// each slice the least busy lane.
    /// </summary>
    public bool Sticky => ShopCalls is not null;

    /// <summary>
    /// How long a new owner of a partition waits before its first call: every call its lanes' previous owner made has then
    /// left the platform's windows. Counted on arrival, a call of the old owner started before the hand-over may still
    /// be on its way for up to the jitter longer than the new owner's first one will take, so the hold is one jitter longer.
    /// </summary>
    public TimeSpan HandOverHold => (Window > ShopWindow ? Window : ShopWindow) + (Counting.OnArrival ? Counting.Jitter : TimeSpan.Zero);

    public static LanePlan For(RateLimitOptions limit)
    {
        ArgumentNullException.ThrowIfNull(limit);
        return new LanePlan(limit, limit.PermitsPerSecond, limit.SafetyMargin, kept: null);
    }

    /// <summary>
    /// The plan for a limit changed while the fleet runs (null: back to the configured one), with the configured margin.
    /// </summary>
    public bool TryRetarget(double? permitsPerSecond, [NotNullWhen(true)] out LanePlan? plan, [NotNullWhen(false)] out string? problem) =>
        TryRetarget(permitsPerSecond, null, out plan, out problem);

    /// <summary>
    /// The plan for a limit and a safety margin changed while the fleet runs (each null: back to the configured one). The
    /// lanes, the shops' lanes and the windows stay as they are, so every slice keeps its lane and partition and a hand-over
    /// still waits long enough; a limit or margin that would leave a lane, or one of a shop's lanes, without a call per
    /// window, or change a window, is refused with the reason in <paramref name="problem"/>.
    /// </summary>
    public bool TryRetarget(double? permitsPerSecond, double? safetyMargin, [NotNullWhen(true)] out LanePlan? plan, [NotNullWhen(false)] out string? problem)
    {
        var permits = permitsPerSecond ?? _limit.PermitsPerSecond;
        var margin = safetyMargin ?? _limit.SafetyMargin;
        plan = null;
        if (!(permits > 0) || double.IsInfinity(permits))
        {
            problem = $"a limit must be a positive number of calls per second, got {permits.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }

        if (!(margin >= 0 && margin < 1))
        {
            problem = $"a safety margin must be at least 0 and less than 1, got {margin.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }

        var what = margin == _limit.SafetyMargin
            ? $"a limit of {Number(permits)}/s"
            : $"a limit of {Number(permits)}/s with a safety margin of {Number(margin)}";
        if (permits * (1 - margin) is var usable && !(usable > 0))
        {
            problem = $"{what} leaves no call";
            return false;
        }

        var next = new LanePlan(_limit, permits, margin, this);
        if (next.Window != Window)
        {
            problem = $"{what} counts calls over {Number(next.Window.TotalSeconds)} s instead of {Number(Window.TotalSeconds)} s; change RateLimit:PermitsPerSecond or RateLimit:SafetyMargin in the configuration and restart instead";
            return false;
        }

        if (next.LaneCalls < Lanes)
        {
            var kept = TokenCalls > 0 ? " besides the scheduler's token call" : "";
            problem = $"{what} cannot give each of the {Lanes} lanes a call per {Number(Window.TotalSeconds)} s{kept}; " +
                $"the lowest live limit is {Number((Lanes + TokenCalls) / (1 - margin))}/s, the highest margin at {Number(permits)}/s is {Number(Math.Max(0, 1 - ((Lanes + TokenCalls) / permits)))} " +
                "(lower RateLimit:Lanes in the configuration and restart to go below)";
            return false;
        }

        if (ShopCalls is not null && (next.ShopWindow != ShopWindow || next.ShopCalls < ShopLanes))
        {
            problem = next.ShopWindow != ShopWindow
                ? $"a safety margin of {Number(margin)} counts a shop's calls over {Number(next.ShopWindow.TotalSeconds)} s instead of {Number(ShopWindow.TotalSeconds)} s; change RateLimit:SafetyMargin in the configuration and restart instead"
                : $"a safety margin of {Number(margin)} leaves a shop {next.ShopCalls} calls per {Number(ShopWindow.TotalSeconds)} s, fewer than the {ShopLanes} lanes its limit is split over; " +
                  $"the highest margin is {Number(Math.Max(0, 1 - (ShopLanes / _limit.PerShopPermitsPerSecond!.Value)))} (change RateLimit:SafetyMargin in the configuration and restart to go above)";
            return false;
        }

        plan = next;
        problem = null;
        return true;
    }

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Whole calls per window for a rate: ⌊rate⌋ per second, or one per 1/rate seconds below one call per second.</summary>
    public static (int Calls, TimeSpan Window) Budget(double perSecond, double margin = 0)
    {
        var rate = perSecond * (1 - margin);
        if (!(rate > 0) || double.IsInfinity(rate))
        {
            throw new ArgumentOutOfRangeException(nameof(perSecond), perSecond, "a budget needs a positive, finite rate");
        }

        return rate >= 1 ? ((int)Math.Floor(rate), OneSecond) : (1, TimeSpan.FromTicks((long)Math.Ceiling(TimeSpan.TicksPerSecond / rate)));
    }

    /// <summary>
    /// Slices in flight that keep every lane busy when calls take <paramref name="latency"/>: a slice makes one call at a
    /// time, the lanes start up to LaneCalls per window T and each call is under way for ℓ, so ⌈rate · (T + ℓ)⌉, plus
    /// one waiting per lane.
    /// </summary>
    public int SlicesToKeepBusy(TimeSpan latency) =>
        (int)Math.Ceiling(LaneCalls / Window.TotalSeconds * (Window + (latency > TimeSpan.Zero ? latency : TimeSpan.Zero)).TotalSeconds) + Lanes;

    /// <summary>Lane <paramref name="lane"/>'s calls per window when the lanes' budget is split into <paramref name="lanes"/>: the shares differ by at most one and add up to <see cref="LaneCalls"/>.</summary>
    public int Share(int lane, int lanes)
    {
        if (lanes < 1 || lanes > LaneCalls || lane < 0 || lane >= lanes)
        {
            throw new ArgumentOutOfRangeException(nameof(lane), $"lane {lane} of {lanes} does not fit a budget of {LaneCalls} calls per {Window.TotalSeconds:0.###} s");
        }

        return (LaneCalls / lanes) + (lane < LaneCalls % lanes ? 1 : 0);
    }

    /// <summary>Every lane's calls per window (<see cref="Share"/>), lane 0 first.</summary>
    public IReadOnlyList<int> Shares => [.. Enumerable.Range(0, Lanes).Select(lane => Share(lane, Lanes))];

    /// <summary>The first lane of a shop under a per-shop limit: the same in every process.</summary>
    public int LaneOf(string shop) => (int)(StableHash.Of(0, shop, 0) % (ulong)Lanes);

    /// <summary>
    /// A shop's lanes under a per-shop limit: the <see cref="ShopLanes"/> lanes from <see cref="LaneOf"/> on (mod
    /// <see cref="Lanes"/>), in rank order: the lanes with the larger configured share first, so that a shop whose limit
    /// the lanes' budget can carry gets its extra calls where the lanes have room for them. Depends on configuration only,
    /// so every process computes the same list whatever live limit it applies. Empty without a per-shop limit.
    /// </summary>
    public IReadOnlyList<int> LanesOf(string shop)
    {
        if (ShopLanes == 0)
        {
            return [];
        }

        var first = LaneOf(shop);
        var lanes = Enumerable.Range(0, ShopLanes).Select(i => (first + i) % Lanes).ToList();
        return [.. lanes.Where(lane => lane < _largerLanes), .. lanes.Where(lane => lane >= _largerLanes)];
    }

    /// <summary>Where <paramref name="lane"/> stands among the shop's lanes (<see cref="LanesOf"/>); null when it is not one of them or counts another number of lanes (a slice released under another plan).</summary>
    public int? RankOf(string shop, LaneRef lane)
    {
        if (lane.Count != Lanes)
        {
            return null;
        }

        var lanes = LanesOf(shop);
        for (var rank = 0; rank < lanes.Count; rank++)
        {
            if (lanes[rank] == lane.Index)
            {
                return rank;
            }
        }

        return null;
    }

    /// <summary>
    /// A shop's calls per <see cref="ShopWindow"/> on its <paramref name="rank"/>-th lane (<see cref="LanesOf"/>): the shares
    /// differ by at most one and add up to <see cref="ShopCalls"/>, the larger ones on the first ranks. A lower shop budget
    /// only takes calls away from the last ranks, so no lane's share grows when another's shrinks.
    /// </summary>
    public int ShopShare(int rank)
    {
        if (ShopCalls is not { } calls || rank < 0 || rank >= ShopLanes)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} is not one of a shop's {ShopLanes} lanes");
        }

        return (calls / ShopLanes) + (rank < calls % ShopLanes ? 1 : 0);
    }

    /// <summary>The action-topic partition of a lane: consecutive partitions from a per-platform offset, so one platform's lanes never share a partition while Lanes ≤ partitions.</summary>
    public static int Partition(string platform, int lane, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        return (int)((StableHash.Of(0, platform.ToUpperInvariant(), 1) + (ulong)lane) % (ulong)partitions);
    }
}
