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

    private LanePlan(RateLimitOptions limit, double permitsPerSecond, int? lanes)
    {
        _limit = limit;
        PermitsPerSecond = permitsPerSecond;
        (Calls, Window) = Budget(permitsPerSecond, limit.SafetyMargin);

        // With one call per window there is nothing to keep: the refresher's rare call may then make two (docs/rate-budget.md).
        TokenCalls = limit.ReservesTokenCall && Calls >= 2 ? 1 : 0;
        Lanes = lanes ?? limit.Lanes ?? Math.Min(DefaultMaxLanes, LaneCalls);
        Scope = limit.Scope;
        Counting = CallCounting.For(limit);
        if (limit.PerShopPermitsPerSecond is > 0 and var perShop)
        {
            (ShopCalls, ShopWindow) = Budget(perShop, limit.SafetyMargin);
        }
    }

    /// <summary>The limit this plan keeps: the configured one, or the one an operator set while running.</summary>
    public double PermitsPerSecond { get; }

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
    internal CallCounting Counting { get; }

    /// <summary>Calls one shop allows per <see cref="ShopWindow"/>; null without a per-shop limit.</summary>
    public int? ShopCalls { get; }

    public TimeSpan ShopWindow { get; }

    /// <summary>With a per-shop limit a shop always uses the same lane, so its limit is kept by one owner; without, the scheduler gives each slice the least busy lane.</summary>
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
        return new LanePlan(limit, limit.PermitsPerSecond, lanes: null);
    }

    /// <summary>
    /// The plan for a limit changed while the fleet runs (null: back to the configured one). The lanes and the window
    /// stay as they are, so every slice keeps its lane and partition and a hand-over still waits long enough; a limit
    /// too low to give every lane one call per window is refused with the reason in <paramref name="problem"/>.
    /// </summary>
    public bool TryRetarget(double? permitsPerSecond, [NotNullWhen(true)] out LanePlan? plan, [NotNullWhen(false)] out string? problem)
    {
        var permits = permitsPerSecond ?? _limit.PermitsPerSecond;
        plan = null;
        if (!(permits > 0) || double.IsInfinity(permits))
        {
            problem = $"a limit must be a positive number of calls per second, got {permits.ToString(CultureInfo.InvariantCulture)}";
            return false;
        }

        var next = new LanePlan(_limit, permits, Lanes);
        if (next.Window != Window)
        {
            problem = $"a limit of {permits.ToString(CultureInfo.InvariantCulture)}/s counts calls over {next.Window.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s instead of {Window.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s; change RateLimit:PermitsPerSecond in the configuration and restart instead";
            return false;
        }

        if (next.LaneCalls < Lanes)
        {
            var kept = TokenCalls > 0 ? " besides the scheduler's token call" : "";
            problem = $"a limit of {permits.ToString(CultureInfo.InvariantCulture)}/s cannot give each of the {Lanes} lanes a call per {Window.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s{kept}; " +
                $"the lowest live limit is {((Lanes + TokenCalls) / (1 - _limit.SafetyMargin)).ToString("0.###", CultureInfo.InvariantCulture)}/s (lower RateLimit:Lanes in the configuration and restart to go below)";
            return false;
        }

        plan = next;
        problem = null;
        return true;
    }

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

    /// <summary>Lane <paramref name="lane"/>'s calls per window when the lanes' budget is split into <paramref name="lanes"/>: the shares differ by at most one and add up to <see cref="LaneCalls"/>.</summary>
    public int Share(int lane, int lanes)
    {
        if (lanes < 1 || lanes > LaneCalls || lane < 0 || lane >= lanes)
        {
            throw new ArgumentOutOfRangeException(nameof(lane), $"lane {lane} of {lanes} does not fit a budget of {LaneCalls} calls per {Window.TotalSeconds:0.###} s");
        }

        return (LaneCalls / lanes) + (lane < LaneCalls % lanes ? 1 : 0);
    }

    /// <summary>The lane of a shop under a per-shop limit: the same in every process.</summary>
    public int LaneOf(string shop) => (int)(StableHash.Of(0, shop, 0) % (ulong)Lanes);

    /// <summary>The action-topic partition of a lane: consecutive partitions from a per-platform offset, so one platform's lanes never share a partition while Lanes ≤ partitions.</summary>
    public static int Partition(string platform, int lane, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        return (int)((StableHash.Of(0, platform.ToUpperInvariant(), 1) + (ulong)lane) % (ulong)partitions);
    }
}
