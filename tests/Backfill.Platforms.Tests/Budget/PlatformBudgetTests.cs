using System.Threading.RateLimiting;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;
using Microsoft.Extensions.Time.Testing;

using static Backfill.Platforms.Tests.Budget.BudgetDrive;

namespace Backfill.Platforms.Tests.Budget;

/// <summary>
/// Drives lanes on a fake clock as fast as their windows let them (calls that take no time) and checks what a platform
/// with a strict sliding second would see.
/// </summary>
public sealed class PlatformBudgetTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);
    private readonly FakeTimeProvider _time = new();

    private PlatformBudget Budget(double perSecond, int lanes, double? perShop = null, RateLimitScope scope = RateLimitScope.Fleet) =>
        new("demo", new RateLimitOptions { PermitsPerSecond = perSecond, Lanes = lanes, PerShopPermitsPerSecond = perShop, Scope = scope }, _time);

    /// <summary>
    /// Callers that each call again as soon as admitted; returns every call's start time. Runs on this thread alone
    /// (<see cref="SingleThread"/>): a woken caller's continuation runs before the clock moves on, however busy the machine,
    /// and <paramref name="at"/> acts between admissions, never during one.
    /// </summary>
    private List<DateTimeOffset> Drive(
        PlatformBudget budget, IReadOnlyList<(LaneRef Lane, string Shop)> callers, TimeSpan duration, Action<TimeSpan>? at = null, List<(int Caller, DateTimeOffset Start)>? byCaller = null)
    {
        List<DateTimeOffset> starts = [];
        SingleThread.Run(async () => starts = await DriveHereAsync(budget, callers, duration, at, byCaller));
        return starts;
    }

    private async Task<List<DateTimeOffset>> DriveHereAsync(
        PlatformBudget budget, IReadOnlyList<(LaneRef Lane, string Shop)> callers, TimeSpan duration, Action<TimeSpan>? at, List<(int Caller, DateTimeOffset Start)>? byCaller)
    {
        var starts = new List<DateTimeOffset>();
        var pending = callers.Select(c => budget.AcquireAsync(c.Lane, c.Shop, null, CancellationToken.None).AsTask()).ToArray();
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += Tick)
        {
            at?.Invoke(elapsed);
            for (var i = 0; i < pending.Length; i++)
            {
                // Let continuations of the fake clock's timers run before deciding a caller still waits.
                await Task.Yield();
                while (pending[i].IsCompleted)
                {
                    using (await pending[i])
                    {
                        starts.Add(_time.GetUtcNow());
                        byCaller?.Add((i, _time.GetUtcNow()));
                    }

                    pending[i] = budget.AcquireAsync(callers[i].Lane, callers[i].Shop, null, CancellationToken.None).AsTask();
                }
            }

            _time.Advance(Tick);
        }

        return starts;
    }

    /// <summary>
    /// Callers that each call again as soon as admitted, every call answered <paramref name="latency"/> after its start and
    /// arriving at the platform a delay after its start that varies within [100 ms, 100 ms + <paramref name="jitter"/>];
    /// returns every call's arrival.
    /// </summary>
    private async Task<List<DateTimeOffset>> DriveWithLatencyAsync(PlatformBudget budget, int callers, TimeSpan latency, TimeSpan jitter, TimeSpan duration)
    {
        var random = new Random(7);
        var arrivals = new List<DateTimeOffset>();
        var answers = new List<(DateTimeOffset At, RateLimitLease Lease)>();
        // Each call is stamped when it was admitted, not when this loop sees it: a wait may end on another thread while the
        // loop moves the clock on.
        Task<(RateLimitLease Lease, DateTimeOffset At)> Acquire() =>
            budget.AcquireAsync(LaneRef.Whole, "1", null, CancellationToken.None).AsTask()
                .ContinueWith(t => (t.Result, _time.GetUtcNow()), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var pending = Enumerable.Range(0, callers).Select(_ => Acquire()).ToArray();
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += Tick)
        {
            var now = _time.GetUtcNow();
            answers.Where(a => a.At <= now).ToList().ForEach(a => a.Lease.Dispose());
            answers.RemoveAll(a => a.At <= now);
            for (var i = 0; i < pending.Length; i++)
            {
                await Task.Yield();
                while (pending[i].IsCompleted)
                {
                    var (lease, admitted) = await pending[i];
                    answers.Add((admitted + latency, lease));
                    arrivals.Add(admitted + TimeSpan.FromMilliseconds(100) + (jitter * random.NextDouble()));
                    pending[i] = Acquire();
                }
            }

            _time.Advance(Tick);
        }

        return arrivals;
    }

    [Theory]
    [InlineData(RateLimitCounting.Strict, 0.8)]
    [InlineData(RateLimitCounting.Arrival, 0.8)]
    [InlineData(RateLimitCounting.Arrival, 1.7)]
    public void Latency_ArrivalsKeepTheLimit_AndArrivalCountingAdmitsAWindowPlusJitterWhateverTheLatency(RateLimitCounting counting, double latencySeconds) =>
        SingleThread.Run(() => LatencyCaseAsync(counting, latencySeconds));

    private async Task LatencyCaseAsync(RateLimitCounting counting, double latencySeconds)
    {
        var jitter = TimeSpan.FromMilliseconds(50);
        var limit = new RateLimitOptions { PermitsPerSecond = 10, Lanes = 1, Counting = counting, ArrivalJitter = jitter };
        var budget = new PlatformBudget("demo", limit, _time);
        var latency = TimeSpan.FromSeconds(latencySeconds);

        var arrivals = await DriveWithLatencyAsync(budget, callers: 40, latency, jitter, TimeSpan.FromSeconds(10));

        Assert.Equal(10, MaxInAnyWindow(arrivals, TimeSpan.FromSeconds(1)));
        var held = counting == RateLimitCounting.Arrival ? TimeSpan.FromSeconds(1) + jitter : TimeSpan.FromSeconds(1) + latency;
        var expected = 10 * (10 / held.TotalSeconds);
        Assert.InRange(arrivals.Count, expected - 10, expected + 10);
    }

    [Fact]
    public void CallsOfJobsWaitingForOneLane_TakeItsPlacesByWeight_NotByHowManySlicesEachHas() =>
        SingleThread.Run(WeightedCaseAsync);

    private async Task WeightedCaseAsync()
    {
        // One call a second on one lane, so every place that frees is contended; four slices of a big normal job and one
        // slice of a small high one call again as soon as admitted: by weight (8 : 4) the small job gets two places in
        // three, not one in five.
        var budget = Budget(1, lanes: 1);
        var lane = new LaneRef(0, 1);
        var callers = Enumerable.Range(0, 4).Select(_ => new CallerTurn("big", 4)).Append(new CallerTurn("small", 8)).ToArray();
        var admitted = new Dictionary<string, int>();
        var pending = callers.Select(c => budget.AcquireAsync(lane, "1", null, CancellationToken.None, c).AsTask()).ToArray();
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromSeconds(30); elapsed += Tick)
        {
            for (var i = 0; i < pending.Length; i++)
            {
                // A call takes a tick: a caller calls again at the next one, so every caller waits while the lane is full.
                await Task.Yield();
                if (pending[i].IsCompleted)
                {
                    using (await pending[i])
                    {
                        admitted[callers[i].Job] = admitted.GetValueOrDefault(callers[i].Job) + 1;
                    }

                    pending[i] = budget.AcquireAsync(lane, "1", null, CancellationToken.None, callers[i]).AsTask();
                }
            }

            _time.Advance(Tick);
        }

        var share = admitted["small"] / (double)(admitted["small"] + admitted["big"]);
        Assert.InRange(share, 0.6, 0.72);
    }

    [Fact]
    public void Lanes_Together_KeepTheLimitInEverySlidingSecond_AndUseAllOfIt()
    {
        var budget = Budget(20, lanes: 8);
        var callers = Enumerable.Range(0, 8).Select(lane => (new LaneRef(lane, 8), $"shop{lane}")).ToList();

        var starts = Drive(budget, callers, TimeSpan.FromSeconds(5));

        Assert.Equal(20, MaxInAnyWindow(starts, TimeSpan.FromSeconds(1)));
        Assert.InRange(starts.Count, 5 * 20 - 20, 5 * 20);
    }

    [Fact]
    public void ALane_KeepsItsShare_HoweverManyCallersItHas()
    {
        var budget = Budget(20, lanes: 8);
        var callers = Enumerable.Range(0, 5).Select(i => (new LaneRef(7, 8), $"shop{i}")).ToList();

        var starts = Drive(budget, callers, TimeSpan.FromSeconds(3));

        // 20 in 8 lanes: lanes 0-3 get 3 calls a second, lanes 4-7 get 2.
        Assert.Equal(2, MaxInAnyWindow(starts, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void ProcessScope_IgnoresLanes_AndHoldsTheWholeLimitForThisProcessOnly()
    {
        var budget = Budget(20, lanes: 8, scope: RateLimitScope.Process);
        var callers = Enumerable.Range(0, 4).Select(i => (new LaneRef(i, 8), $"shop{i}")).ToList();

        var starts = Drive(budget, callers, TimeSpan.FromSeconds(3));

        Assert.Equal(20, MaxInAnyWindow(starts, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void PerShopLimit_NestsInsideTheLane_WithTheShopsShareThere()
    {
        // Each shop's 2/s over the 2 lanes: one call per second on lane 0 for each, however many callers it has.
        var budget = Budget(20, lanes: 2, perShop: 2);
        var callers = new[] { (new LaneRef(0, 2), "a"), (new LaneRef(0, 2), "a"), (new LaneRef(0, 2), "b") };

        var starts = Drive(budget, callers, TimeSpan.FromSeconds(3));

        Assert.Equal(2, MaxInAnyWindow(starts, TimeSpan.FromSeconds(1)));
        Assert.InRange(starts.Count, 5, 6);
    }

    [Fact]
    public async Task Snapshot_CountsTheShopsThatCalledOnEachLaneWithinAMinute()
    {
        // At 10/s a shop's limit spreads over all 8 lanes: shops a and b share every lane.
        var budget = Budget(40, lanes: 8, perShop: 10);
        var lane = budget.Plan.LanesOf("a")[0];
        using (await budget.AcquireAsync(new LaneRef(lane, 8), "a", null, CancellationToken.None))
        {
        }

        _time.Advance(TimeSpan.FromSeconds(30));
        using (await budget.AcquireAsync(new LaneRef(lane, 8), "b", null, CancellationToken.None))
        {
        }

        var both = budget.Snapshot().Lanes.Single(l => l.Lane == lane).Shops;
        _time.Advance(TimeSpan.FromSeconds(31));
        var one = budget.Snapshot().Lanes.Single(l => l.Lane == lane).Shops;
        _time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(2, both);
        Assert.Equal(1, one);
        Assert.Equal(0, budget.Snapshot().Lanes.Single(l => l.Lane == lane).Shops);
    }

    [Fact]
    public void AShopsCallsOverItsLanes_NeverExceedItsLimit_EachLaneKeepsItsShare_AndTogetherTheyUseAllOfIt()
    {
        // 40/s in 8 lanes of 5; the shop's 10/s over its 8 lanes: shares 2, 2, 1, 1, 1, 1, 1, 1.
        var budget = Budget(40, lanes: 8, perShop: 10);
        var plan = budget.Plan;
        var lanes = plan.LanesOf("a");
        var callers = lanes.SelectMany(lane => new[] { (new LaneRef(lane, 8), "a"), (new LaneRef(lane, 8), "a"), (new LaneRef(lane, 8), "a") }).ToList();
        var byCaller = new List<(int Caller, DateTimeOffset Start)>();

        var starts = Drive(budget, callers, TimeSpan.FromSeconds(5), byCaller: byCaller);

        Assert.Equal(10, MaxInAnyWindow(starts, TimeSpan.FromSeconds(1)));
        Assert.InRange(starts.Count, 5 * 10 - 10, 5 * 10);
        for (var rank = 0; rank < lanes.Count; rank++)
        {
            var onLane = byCaller.Where(c => callers[c.Caller].Item1.Index == lanes[rank]).Select(c => c.Start).ToList();
            Assert.Equal(plan.ShopShare(rank), MaxInAnyWindow(onLane, TimeSpan.FromSeconds(1)));
        }
    }

    [Fact]
    public void OneShopAtThePlatformsLimit_UsesEveryLane_AndTheWholeLimit()
    {
        // Platform 8/s, shop 8/s: 8 lanes of one call each, the shop one call on each.
        var budget = Budget(8, lanes: 8, perShop: 8);
        var callers = budget.Plan.LanesOf("a").Select(lane => (new LaneRef(lane, 8), "a")).ToList();

        var starts = Drive(budget, callers, TimeSpan.FromSeconds(5));

        Assert.Equal(8, callers.Count);
        Assert.Equal(8, MaxInAnyWindow(starts, TimeSpan.FromSeconds(1)));
        Assert.InRange(starts.Count, 5 * 8 - 8, 5 * 8);
    }

    [Fact]
    public async Task ACallOfAShopOnALaneThatIsNotOneOfItsLanes_IsRefused()
    {
        var budget = Budget(20, lanes: 8, perShop: 3);
        var outside = Enumerable.Range(0, 8).First(lane => !budget.Plan.LanesOf("a").Contains(lane));

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await budget.AcquireAsync(new LaneRef(outside, 8), "a", null, CancellationToken.None));
    }

    [Fact]
    public void ProcessScope_KeepsOneWindowOfTheShopsWholeLimit_WhateverTheLane()
    {
        var budget = Budget(20, lanes: 8, perShop: 3, scope: RateLimitScope.Process);
        var callers = Enumerable.Range(0, 8).Select(lane => (new LaneRef(lane, 8), "a")).ToList();

        var starts = Drive(budget, callers, TimeSpan.FromSeconds(3));

        Assert.Equal(3, MaxInAnyWindow(starts, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Throttle_StopsEveryCallForThePause_ThenTheRateIsHalved()
    {
        var budget = Budget(20, lanes: 1);
        var callers = Enumerable.Range(0, 3).Select(i => (LaneRef.Whole, $"shop{i}")).ToList();
        var throttledAt = TimeSpan.FromSeconds(2);

        var starts = Drive(budget, callers, TimeSpan.FromSeconds(6), elapsed =>
        {
            if (elapsed == throttledAt)
            {
                budget.Throttled(retryAfter: TimeSpan.FromSeconds(2));
            }
        });

        // Calls admitted in the same instant as the throttle, before it, are not 'after' it.
        var origin = starts[0];
        var during = starts.Count(s => s - origin > throttledAt && s - origin < throttledAt + TimeSpan.FromSeconds(2));
        var after = starts.Where(s => s - origin >= throttledAt + TimeSpan.FromSeconds(2)).ToList();
        Assert.Equal(0, during);
        Assert.Equal(10, MaxInAnyWindow(after, TimeSpan.FromSeconds(1)));
        Assert.Equal(0.5, budget.Rate.Factor);
    }

    [Fact]
    public void Retarget_WhileRunning_HoldsTheNewLimitFromTheNextWindowOn_AndResetGoesBack()
    {
        var budget = Budget(20, lanes: 4);
        var callers = Enumerable.Range(0, 12).Select(i => (new LaneRef(i % 4, 4), $"shop{i}")).ToList();
        var loweredAt = TimeSpan.FromSeconds(2);
        var resetAt = TimeSpan.FromSeconds(5);

        var starts = Drive(budget, callers, TimeSpan.FromSeconds(8), elapsed =>
        {
            if (elapsed == loweredAt)
            {
                Assert.True(budget.Retarget(8, out _));
            }
            else if (elapsed == resetAt)
            {
                Assert.True(budget.Retarget(null, out _));
            }
        });

        var origin = starts[0];
        List<DateTimeOffset> Between(TimeSpan from, TimeSpan to) => [.. starts.Where(s => s - origin >= from && s - origin < to)];

        // Calls started under the old limit keep counting until they leave the window: one second after the change the new limit holds.
        Assert.Equal(20, MaxInAnyWindow(Between(TimeSpan.Zero, loweredAt), TimeSpan.FromSeconds(1)));
        Assert.Equal(8, MaxInAnyWindow(Between(loweredAt + TimeSpan.FromSeconds(1), resetAt), TimeSpan.FromSeconds(1)));
        Assert.Equal(20, MaxInAnyWindow(Between(resetAt + TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8)), TimeSpan.FromSeconds(1)));
        Assert.Equal(20, budget.Plan.PermitsPerSecond);
    }

    [Fact]
    public void RetargetMargin_WhileRunning_HoldsTheSmallerBudgetFromTheNextWindowOn_ForLanesAndShops()
    {
        // 20/s in 4 lanes, a shop of 8/s over 4 lanes; a margin of 0.5 leaves 10/s and 4/s.
        var budget = Budget(20, lanes: 4, perShop: 8);
        var shopLanes = budget.Plan.LanesOf("a");
        var callers = Enumerable.Range(0, 12).Select(i => (new LaneRef(i % 4, 4), $"shop{i}"))
            .Concat(shopLanes.SelectMany(lane => new[] { (new LaneRef(lane, 4), "a"), (new LaneRef(lane, 4), "a") })).ToList();
        var byCaller = new List<(int Caller, DateTimeOffset Start)>();
        var changedAt = TimeSpan.FromSeconds(2);

        var starts = Drive(budget, callers, TimeSpan.FromSeconds(5), elapsed =>
        {
            if (elapsed == changedAt)
            {
                Assert.True(budget.Retarget(null, 0.5, out _));
            }
        }, byCaller);

        var origin = starts[0];
        List<DateTimeOffset> After(TimeSpan from, Func<int, bool> caller) => [.. byCaller.Where(c => c.Start - origin >= from && caller(c.Caller)).Select(c => c.Start)];

        Assert.Equal(20, MaxInAnyWindow([.. starts.Where(s => s - origin < changedAt)], TimeSpan.FromSeconds(1)));
        Assert.Equal(10, MaxInAnyWindow(After(changedAt + TimeSpan.FromSeconds(1), _ => true), TimeSpan.FromSeconds(1)));
        Assert.Equal(4, MaxInAnyWindow(After(changedAt + TimeSpan.FromSeconds(1), c => callers[c].Item2 == "a"), TimeSpan.FromSeconds(1)));
        Assert.Equal(0.5, budget.Plan.SafetyMargin);
    }

    [Fact]
    public void Retarget_BelowOneCallPerLane_IsRefused_AndThePlanStays()
    {
        var budget = Budget(20, lanes: 8);

        Assert.False(budget.Retarget(5, out var problem));

        Assert.Contains("8 lanes", problem, StringComparison.Ordinal);
        Assert.Equal(20, budget.Plan.Calls);
    }

    [Fact]
    public void Throttles_DuringAPause_AreOneEvent()
    {
        var budget = Budget(20, lanes: 1);

        var outcomes = new[] { budget.Throttled(null), budget.Throttled(null), budget.Throttled(TimeSpan.FromSeconds(3)) };

        Assert.Equal([true, false, false], outcomes.Select(o => o.Slowed));
        Assert.Equal([true, false, true], outcomes.Select(o => o.Lengthened));
        Assert.All(outcomes, o => Assert.Null(o.CoolOffUntil));
        Assert.Equal(1, budget.Rate.Throttles);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(3), budget.Gate.ClosedUntil);
        Assert.Equal(budget.Gate.ClosedUntil, outcomes[^1].PausedUntil);
    }

    [Fact]
    public async Task ThrottleElsewhere_HoldsEveryCallUntilItsEnd_AndHalvesTheRate()
    {
        var budget = Budget(20, lanes: 1);
        var until = _time.GetUtcNow() + TimeSpan.FromSeconds(3);

        var outcome = budget.ThrottledElsewhere(until);
        var acquire = budget.AcquireAsync(LaneRef.Whole, "1", null, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(2.9));
        await Task.Yield();
        var early = acquire.IsCompleted;
        _time.Advance(TimeSpan.FromSeconds(0.1));
        using var lease = await acquire.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(outcome.Slowed);
        Assert.Equal(until, outcome.PausedUntil);
        Assert.False(early);
        Assert.Equal(0.5, budget.Rate.Factor);
        Assert.Equal(1, budget.Rate.Throttles);
    }

    [Fact]
    public void ThrottleElsewhere_DuringAPauseHere_IsTheSameEvent_ButMayLengthenThePause()
    {
        var budget = Budget(20, lanes: 1);

        // Calls in flight together met the throttle here and in another worker, or this worker hears its own event back.
        var here = budget.Throttled(null);
        var echo = budget.ThrottledElsewhere(here.PausedUntil);
        var longer = budget.ThrottledElsewhere(_time.GetUtcNow() + TimeSpan.FromSeconds(4));

        Assert.True(here.Slowed);
        Assert.False(echo.Slowed);
        Assert.False(echo.Lengthened);
        Assert.False(longer.Slowed);
        Assert.True(longer.Lengthened);
        Assert.Equal(0.5, budget.Rate.Factor);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(4), budget.Gate.ClosedUntil);
    }

    [Fact]
    public void ThrottleElsewhere_AlreadyOver_ChangesNothing()
    {
        var budget = Budget(20, lanes: 1);

        var outcome = budget.ThrottledElsewhere(_time.GetUtcNow() - TimeSpan.FromSeconds(1));

        Assert.False(outcome.Slowed);
        Assert.True(budget.Gate.IsOpen);
        Assert.Equal(1, budget.Rate.Factor);
    }

    [Fact]
    public void ThrottlesElsewhere_CountTowardTheBreaker()
    {
        var budget = Budget(20, lanes: 1);
        var outcomes = new List<ThrottleOutcome>();
        for (var i = 0; i < 3; i++)
        {
            outcomes.Add(budget.ThrottledElsewhere(_time.GetUtcNow() + TimeSpan.FromSeconds(1)));
            _time.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.Null(outcomes[1].CoolOffUntil);
        Assert.NotNull(outcomes[2].CoolOffUntil);
        Assert.Equal(outcomes[2].CoolOffUntil, budget.Snapshot().CoolOffUntil);
    }

    [Fact]
    public void RepeatedThrottles_OpenTheBreaker_ForTheCoolOff()
    {
        var budget = Budget(20, lanes: 1);
        DateTimeOffset? coolOff = null;
        for (var i = 0; i < 3; i++)
        {
            coolOff ??= budget.Throttled(null).CoolOffUntil;
            _time.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.NotNull(coolOff);
        Assert.Equal(coolOff, budget.Gate.ClosedUntil);
        Assert.Equal(coolOff, budget.Snapshot().CoolOffUntil);
        Assert.True(coolOff - _time.GetUtcNow() > TimeSpan.FromSeconds(50));
    }

    [Fact]
    public async Task CoolOff_FromAnotherWorker_HoldsCallsUntilItEnds()
    {
        var budget = Budget(20, lanes: 1);
        budget.CoolOff(_time.GetUtcNow() + TimeSpan.FromSeconds(10));

        var acquire = budget.AcquireAsync(LaneRef.Whole, "1", null, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(9.9));
        await Task.Yield();
        var early = acquire.IsCompleted;
        _time.Advance(TimeSpan.FromSeconds(0.1));
        using RateLimitLease lease = await acquire.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.False(early);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public async Task ACallWaitingForItsWindowThroughAFreeze_StartsOnlyOnceItsOwnersLeaseIsConfirmedAgain()
    {
        var budget = Budget(1, lanes: 1);
        var lease = new OwnershipLease(TimeSpan.FromSeconds(1), _time);
        PollFor(_time, lease, TimeSpan.FromSeconds(1));
        using (await budget.AcquireAsync(LaneRef.Whole, "1", lease, CancellationToken.None))
        {
        }

        // The next call waits a second for the window. The process stops whole for 15 s, past its group session, and
        // wakes with that wait long over and the window empty; its poll loop has not run yet.
        var waiting = budget.AcquireAsync(LaneRef.Whole, "1", lease, CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromSeconds(15));
        var atWake = await StartedSoon(waiting);
        lease.Renew();
        PollFor(_time, lease, TimeSpan.FromSeconds(0.9));
        var beforeConfirmed = await StartedSoon(waiting);
        var inWindowMeanwhile = budget.Snapshot().Lanes.Single().InWindow;
        PollFor(_time, lease, TimeSpan.FromSeconds(0.1));

        Assert.False(atWake);
        Assert.False(beforeConfirmed);
        Assert.Equal(0, inWindowMeanwhile);
        using var admitted = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, budget.Snapshot().Lanes.Single().InWindow);
    }

    [Fact]
    public async Task ALaneThatDoesNotFitTheBudget_IsRefused() =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Budget(4, lanes: 4).AcquireAsync(new LaneRef(5, 8), "1", null, CancellationToken.None).AsTask());
}
