using System.Diagnostics.CodeAnalysis;
using System.Threading.RateLimiting;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Quotas;

namespace Backfill.Platforms.Resilience;

/// <summary>
/// One platform's budget in this process. A call starts once the gate is open (no throttle pause, no cool-off) and there
/// is room in its lane's window and, with a per-shop limit, in the window of its shop on that lane, which holds the
/// shop's share there (<see cref="LanePlan.ShopShare"/>; in Process scope one window of the shop's whole limit). Lane windows hold the lane's share of
/// the calls per window, cut while throttles have slowed the platform down (<see cref="AdaptiveRate"/>). With quotas, a
/// call also takes one of the calls the scheduler granted this process (<see cref="QuotaAllowance"/>), asking for more
/// (<see cref="QuotaWanted"/>) when few are left. A call whose lane window, or shop window on its lane, is full may take
/// a free place in the window of another lane that a partition of this process carries (<see cref="LaneLending"/>).
/// </summary>
internal sealed class PlatformBudget
{
    private readonly Lock _lock = new();
    private readonly Dictionary<LaneRef, CallWindow> _lanes = [];
    private readonly Dictionary<(string Shop, int Lane), CallWindow> _shops = [];
    private readonly Dictionary<LaneRef, FairTurns> _turns = [];
    private readonly ThrottleOptions _throttle;
    private readonly TimeProvider _time;
    private DateTimeOffset _coolOffUntil = DateTimeOffset.MinValue;
    private volatile LanePlan _plan;

    public PlatformBudget(string platform, RateLimitOptions options, TimeProvider time)
    {
        Platform = platform;
        _plan = LanePlan.For(options);
        _throttle = options.Throttle;
        _time = time;
        Gate = new ThrottleGate(time);
        Rate = new AdaptiveRate(options.Throttle, time);
        Quotas = QuotaPlan.For(options);
        Allowance = new QuotaAllowance(Quotas, time);
    }

    /// <summary>Raised with the calls to ask the scheduler for when this process holds too few of the platform's quotas.</summary>
    public event Action<long>? QuotaWanted;

    public QuotaPlan Quotas { get; }

    public QuotaAllowance Allowance { get; }

    public string Platform { get; }

    /// <summary>The current plan: the configured limit, or the one set while running (<see cref="Retarget(double?, double?, out string?)"/>).</summary>
    public LanePlan Plan => _plan;

    public ThrottleGate Gate { get; }

    public AdaptiveRate Rate { get; }

    /// <param name="ownership">
    /// The lane owner's lease, checked after every wait, the last thing before the call goes out: any wait may have lasted
    /// through a stop of this process, during which the lane went to another member. Null: not checked.
    /// </param>
    /// <param name="caller">The job the call is for and its weight: calls waiting for the same lane take its places in weighted fair order (<see cref="FairTurns"/>).</param>
    /// <param name="lending">
    /// The partition the call's step came from: while it stays in this process its lane's free places may be lent to calls
    /// of other lanes here, and this call may take a free place of another lane lent so when its own lane is full
    /// (<see cref="LaneLending"/>). Null: neither.
    /// </param>
    public async ValueTask<RateLimitLease> AcquireAsync(
        LaneRef lane, string shop, OwnershipLease? ownership, CancellationToken cancellationToken, CallerTurn? caller = null, LaneLending? lending = null)
    {
        var laneWindow = LaneWindow(lane);
        var turns = Turns(lane);
        var shopWindow = ShopWindow(shop, lane);
        var (job, weight) = caller ?? CallerTurn.Anonymous;
        var lends = lending is not null && Plan.Scope != RateLimitScope.Process;
        if (lends)
        {
            laneWindow.LendWhile(lending!);
            shopWindow?.LendWhile(lending!);
        }

        while (true)
        {
            await Gate.WaitUntilOpenAsync(cancellationToken);
            if (await LanePlaceAsync(laneWindow, lends ? lane : null, turns, job, weight, cancellationToken) is not ({ } laneCall, var lender))
            {
                // A throttle closed the gate while this call waited for its place: it waits for the gate first.
                continue;
            }

            CallWindow.Call? shopCall = null;
            OwnershipLease? shopLender = null;
            if (shopWindow is not null && !shopWindow.TryStart(out shopCall))
            {
                var shopLenders = lends ? ShopLenders(shop, lane) : [];
                if (!TryLend(shopLenders, out shopCall, out shopLender))
                {
                    laneCall.Cancel();
                    await WaitForRoomAsync([shopWindow, .. shopLenders], cancellationToken);
                    continue;
                }
            }

            if ((ownership is { IsHeld: false } ? ownership : lender is { IsHeld: false } ? lender : shopLender is { IsHeld: false } ? shopLender : null) is { } notHeld)
            {
                // Never went out: the places go back uncounted, and are taken again once the lease is confirmed.
                laneCall.Cancel();
                shopCall?.Cancel();
                await notHeld.WaitAsync(cancellationToken);
                continue;
            }

            if (Allowance.IsActive && !TakeQuota())
            {
                laneCall.Cancel();
                shopCall?.Cancel();
                await Allowance.WaitForGrantAsync(QuotaAllowance.AskAgainAfter, cancellationToken);
                continue;
            }

            return shopCall is null ? new AdmissionLease(laneCall) : new AdmissionLease(laneCall, shopCall);
        }
    }

    /// <summary>Takes a granted call of the quotas, asking for more when few are left; false when none is held.</summary>
    private bool TakeQuota()
    {
        var taken = Allowance.TryTake();
        if (Allowance.AskFor(QuotaAsk()) is > 0 and var want)
        {
            QuotaWanted?.Invoke(want);
        }

        return taken;
    }

    /// <summary>What to ask for at a time: two windows of the whole platform's calls, at most a tenth of the smallest quota's share.</summary>
    private long QuotaAsk() =>
        Math.Max(1, Math.Min(Plan.Calls * 2L, Quotas.Shapes.Min(s => s.Usable) / 10));

    /// <summary>
    /// A throttle answer here: no call starts for max(Retry-After, MinPause), and, unless a pause was already running
    /// (throttles of calls that were in flight together are one event), the rate halves.
    /// </summary>
    public ThrottleOutcome Throttled(TimeSpan? retryAfter)
    {
        var pause = retryAfter is { } after && after > _throttle.MinPause ? after : _throttle.MinPause;
        return Pause(_time.GetUtcNow() + pause);
    }

    /// <summary>
    /// Another worker met a throttle of this platform and paused until <paramref name="until"/>: this process pauses as
    /// long and counts the event as its own, unless a pause is already running here (the same event, heard twice, or
    /// one this process met too). A pause already over changes nothing.
    /// </summary>
    public ThrottleOutcome ThrottledElsewhere(DateTimeOffset until) =>
        until > _time.GetUtcNow() ? Pause(until) : new ThrottleOutcome(Gate.ClosedUntil, Lengthened: false, Slowed: false, CoolOffUntil: null);

    private ThrottleOutcome Pause(DateTimeOffset until)
    {
        var before = Gate.ClosedUntil;
        var inPause = !Gate.IsOpen;
        Gate.Close(until - _time.GetUtcNow());
        var lengthened = Gate.ClosedUntil > before;
        if (inPause || !Rate.Throttled())
        {
            return new ThrottleOutcome(Gate.ClosedUntil, lengthened, Slowed: !inPause, CoolOffUntil: null);
        }

        var coolOff = _time.GetUtcNow() + _throttle.CoolOff;
        CoolOff(coolOff);
        return new ThrottleOutcome(Gate.ClosedUntil, lengthened, Slowed: true, CoolOffUntil: coolOff);
    }

    /// <summary>
    /// The fleet's limit or safety margin changed while running (each null: back to the configured one). Lane and shop
    /// windows read their share on every admission, so a lower budget holds from the next call on; calls already in a
    /// window keep counting there.
    /// </summary>
    public bool Retarget(double? permitsPerSecond, [NotNullWhen(false)] out string? problem) => Retarget(permitsPerSecond, null, out problem);

    /// <inheritdoc cref="Retarget(double?, out string?)"/>
    public bool Retarget(double? permitsPerSecond, double? safetyMargin, [NotNullWhen(false)] out string? problem)
    {
        if (!_plan.TryRetarget(permitsPerSecond, safetyMargin, out var plan, out problem))
        {
            return false;
        }

        _plan = plan;
        return true;
    }

    /// <summary>Stops every call until <paramref name="until"/> (this process's breaker, or another worker's).</summary>
    public void CoolOff(DateTimeOffset until)
    {
        var remaining = until - _time.GetUtcNow();
        if (remaining <= TimeSpan.Zero)
        {
            return;
        }

        Gate.Close(remaining);
        lock (_lock)
        {
            if (until > _coolOffUntil)
            {
                _coolOffUntil = until;
            }
        }
    }

    public BudgetSnapshot Snapshot()
    {
        var factor = Rate.Factor;
        var perWindow = Plan.Window.TotalSeconds;
        lock (_lock)
        {
            return new BudgetSnapshot(
                Platform,
                Plan.Scope,
                Plan.Calls / perWindow,
                factor,
                Gate.ClosedUntil,
                _coolOffUntil,
                Rate.Throttles,
                [.. _lanes.OrderBy(l => l.Key.Index).Select(l => new LaneSnapshot(
                    l.Key.Index, l.Key.Count, l.Value.Limit / l.Value.Window.TotalSeconds, l.Value.Count, l.Value.Latency, ShopsCalling(l.Key.Index)))]);
        }
    }

    /// <summary>How long a shop counts as calling on a lane after its last call there: longer than any step's gap between pages.</summary>
    internal static readonly TimeSpan ShopCalling = TimeSpan.FromMinutes(1);

    // Under the budget's lock.
    private int ShopsCalling(int lane) => _shops.Count(s => s.Key.Lane == lane && s.Value.StartedWithin(ShopCalling));

    private CallWindow LaneWindow(LaneRef lane)
    {
        // In Process scope this process behaves as the only client: one window for the whole budget, lanes ignored.
        var key = Plan.Scope == RateLimitScope.Process ? LaneRef.Whole : lane;
        // Throws for a lane that does not fit the plan, before a window exists for it.
        _ = Plan.Share(key.Index, key.Count);
        lock (_lock)
        {
            if (!_lanes.TryGetValue(key, out var window))
            {
                window = new CallWindow(() => Slowed(Plan.Share(key.Index, key.Count)), _time, Plan.Counting);
                _lanes[key] = window;
            }

            return window;
        }
    }

    /// <summary>
    /// A place once this call is first in the lane's fair order: in the lane's window when it has room, else, when
    /// <paramref name="borrower"/> is given, in a lent window of another lane that no call waits for (with that lane's
    /// owner's lease, which the call must also hold); null when the gate closed meanwhile.
    /// </summary>
    private async ValueTask<(CallWindow.Call Call, OwnershipLease? Lender)?> LanePlaceAsync(
        CallWindow window, LaneRef? borrower, FairTurns turns, string job, int weight, CancellationToken cancellationToken)
    {
        var ticket = turns.Enter(job, weight);
        try
        {
            while (Gate.IsOpen)
            {
                if (!turns.IsFirst(ticket, out var changed))
                {
                    await changed.WaitAsync(cancellationToken);
                    continue;
                }

                if (window.TryStart(out var call))
                {
                    turns.Admitted(ticket);
                    ticket = null;
                    return (call, null);
                }

                var lenders = borrower is { } own ? Lenders(own) : [];
                if (TryLend(lenders, out var lent, out var owner))
                {
                    turns.Admitted(ticket);
                    ticket = null;
                    return (lent, owner);
                }

                await WaitForRoomAsync([window, .. lenders], cancellationToken);
            }

            return null;
        }
        finally
        {
            if (ticket is not null)
            {
                turns.Leave(ticket);
            }
        }
    }

    /// <summary>The lent windows of this platform's other lanes under the same lane count that no call waits for, least counted first.</summary>
    private List<CallWindow> Lenders(LaneRef borrower)
    {
        lock (_lock)
        {
            return [.. _lanes
                .Where(l => l.Key != borrower && l.Key.Count == borrower.Count && l.Value.IsLent && (!_turns.TryGetValue(l.Key, out var turns) || turns.IsEmpty))
                .Select(l => l.Value)
                .OrderBy(w => w.Count)];
        }
    }

    /// <summary>The lent windows of the shop on its other lanes, least counted first.</summary>
    private List<CallWindow> ShopLenders(string shop, LaneRef borrower)
    {
        lock (_lock)
        {
            return [.. _shops
                .Where(s => s.Key.Shop == shop && s.Key.Lane >= 0 && s.Key.Lane != borrower.Index && s.Value.IsLent)
                .Select(s => s.Value)
                .OrderBy(w => w.Count)];
        }
    }

    /// <summary>A place in the first of <paramref name="lenders"/> that has one, with its owner's lease.</summary>
    private static bool TryLend(List<CallWindow> lenders, [NotNullWhen(true)] out CallWindow.Call? call, out OwnershipLease? owner)
    {
        foreach (var lender in lenders)
        {
            if (lender.TryLend(out call, out owner))
            {
                return true;
            }
        }

        call = null;
        owner = null;
        return false;
    }

    /// <summary>Returns once any of the windows may have room.</summary>
    private static async Task WaitForRoomAsync(List<CallWindow> windows, CancellationToken cancellationToken)
    {
        if (windows.Count == 1)
        {
            await windows[0].WaitForRoomAsync(cancellationToken);
            return;
        }

        using var first = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var waits = windows.Select(w => w.WaitForRoomAsync(first.Token).AsTask()).ToList();
        var ended = await Task.WhenAny(waits);
        first.Cancel();
        await ended;
    }

    private FairTurns Turns(LaneRef lane)
    {
        var key = Plan.Scope == RateLimitScope.Process ? LaneRef.Whole : lane;
        lock (_lock)
        {
            if (!_turns.TryGetValue(key, out var turns))
            {
                turns = new FairTurns();
                _turns[key] = turns;
            }

            return turns;
        }
    }

    /// <summary>A share slowed down by throttles: fewer calls per window (the peak drops, not only the average), one call per longer window below one.</summary>
    private (int Limit, TimeSpan Window) Slowed(int share)
    {
        var calls = share * Rate.Factor;
        return calls >= 1 ? ((int)Math.Floor(calls), Plan.Window) : (1, Plan.Window / calls);
    }

    /// <summary>
    /// The window of a shop on a lane, holding the shop's share there and kept by the lane's owner; in Process scope one
    /// window of the shop's whole limit. The share is read on every admission, so a live change applies from the next call.
    /// </summary>
    private CallWindow? ShopWindow(string shop, LaneRef lane)
    {
        var plan = Plan;
        if (plan.ShopCalls is null)
        {
            return null;
        }

        var key = (shop, Lane: -1);
        Func<(int, TimeSpan)> capacity = () => (Plan.ShopCalls ?? 1, Plan.ShopWindow);
        if (plan.Scope != RateLimitScope.Process)
        {
            // Throws for a lane that is not one of the shop's (a slice released under another plan), before a window exists for it.
            var rank = plan.RankOf(shop, lane) ?? throw new ArgumentOutOfRangeException(
                nameof(lane), $"lane {lane} is not one of shop {shop}'s lanes [{string.Join(", ", plan.LanesOf(shop))}] of {plan.Lanes}");
            key = (shop, lane.Index);
            capacity = () => (Plan.ShopShare(rank), Plan.ShopWindow);
        }

        lock (_lock)
        {
            if (!_shops.TryGetValue(key, out var window))
            {
                window = new CallWindow(capacity, _time, Plan.Counting);
                _shops[key] = window;
            }

            return window;
        }
    }
}
