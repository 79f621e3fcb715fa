using System.Threading.RateLimiting;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;
using Microsoft.Extensions.Time.Testing;

using static Backfill.Platforms.Tests.Budget.BudgetDrive;

namespace Backfill.Platforms.Tests.Budget;

/// <summary>
/// A call whose lane is full takes a free place of another lane that a partition of this process carries and no call
/// waits for: counted in that lane's window, which keeps its share, and only while the partition stays here.
/// </summary>
public sealed class LaneLendingTests
{
    private readonly FakeTimeProvider _time = new();

    // Four calls a second in two lanes: two each.
    private PlatformBudget Budget(double perSecond = 4, int lanes = 2, RateLimitCounting counting = RateLimitCounting.Strict) =>
        new("demo", new RateLimitOptions { PermitsPerSecond = perSecond, Lanes = lanes, Counting = counting }, _time);

    private static ValueTask<RateLimitLease> Acquire(PlatformBudget budget, int lane, LaneLending? lending, OwnershipLease? ownership = null, int lanes = 2) =>
        budget.AcquireAsync(new LaneRef(lane, lanes), "1", ownership, CancellationToken.None, lending: lending);

    /// <summary>A partition that carried <paramref name="lane"/> here: one of its steps called through it once, answered at once.</summary>
    private static async Task<LaneLending> CarriedAsync(PlatformBudget budget, int lane, OwnershipLease? owner = null, int lanes = 2)
    {
        var lending = new LaneLending(owner);
        (await Acquire(budget, lane, lending, owner, lanes)).Dispose();
        return lending;
    }

    private static int InWindow(PlatformBudget budget, int lane) => budget.Snapshot().Lanes.Single(l => l.Lane == lane).InWindow;

    [Fact]
    public async Task ACallOnAFullLane_TakesAFreePlaceOfALentLane_CountedThere()
    {
        var budget = Budget();
        using var lender = await CarriedAsync(budget, lane: 1);
        using var borrower = new LaneLending(null);

        var own = new[] { await Acquire(budget, 0, borrower), await Acquire(budget, 0, borrower) };
        var lent = Acquire(budget, 0, borrower).AsTask();
        var lentStarted = await StartedSoon(lent);
        var beyond = Acquire(budget, 0, borrower).AsTask();
        var beyondStarted = await StartedSoon(beyond);

        // Lane 1 held its own call and now the lent one: its share, no more; the fourth call of lane 0 waits.
        Assert.True(lentStarted);
        Assert.False(beyondStarted);
        Assert.Equal((2, 2), (InWindow(budget, 0), InWindow(budget, 1)));
        Array.ForEach(own, l => l.Dispose());
        (await lent).Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));
        (await beyond.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task APartitionThatLeft_LendsNothing()
    {
        var budget = Budget();
        var lender = await CarriedAsync(budget, lane: 1);
        lender.Dispose();

        var own = new[] { await Acquire(budget, 0, new LaneLending(null)), await Acquire(budget, 0, new LaneLending(null)) };
        var third = Acquire(budget, 0, new LaneLending(null)).AsTask();

        Assert.False(await StartedSoon(third));
        Assert.Equal(1, InWindow(budget, 1));
        Array.ForEach(own, l => l.Dispose());
    }

    [Fact]
    public async Task ALaneCalledWithoutAPartition_LendsNothing_AndACallWithoutOneBorrowsNothing()
    {
        var budget = Budget();
        (await Acquire(budget, 1, lending: null)).Dispose();
        using var lender = await CarriedAsync(budget, lane: 1);

        // Lane 0 called without a partition: it may not borrow lane 1's free place.
        var own = new[] { await Acquire(budget, 0, null), await Acquire(budget, 0, null) };
        var unlent = Acquire(budget, 0, null).AsTask();
        var unlentStarted = await StartedSoon(unlent);
        // Lane 0 carried by a partition now, lane 1 by none: lane 1's calls may not borrow lane 0's places either.
        var budget2 = Budget();
        (await Acquire(budget2, 0, null)).Dispose();
        using var onlyOwn = new LaneLending(null);
        var own2 = new[] { await Acquire(budget2, 1, onlyOwn), await Acquire(budget2, 1, onlyOwn) };
        var notLent = Acquire(budget2, 1, onlyOwn).AsTask();

        Assert.False(unlentStarted);
        Assert.False(await StartedSoon(notLent));
        Array.ForEach([.. own, .. own2], l => l.Dispose());
    }

    [Fact]
    public async Task CallsOver_WaitsForTheCallsUnderWayInItsLanesLentPlaces()
    {
        var budget = Budget();
        var lender = await CarriedAsync(budget, lane: 1);
        using var borrower = new LaneLending(null);
        var own = new[] { await Acquire(budget, 0, borrower), await Acquire(budget, 0, borrower) };
        var lent = await Acquire(budget, 0, borrower).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        lender.Leave();
        var over = lender.CallsOverAsync(CancellationToken.None);
        var overWhileUnderWay = await Task.WhenAny(over, Task.Delay(TimeSpan.FromMilliseconds(200))) == over;
        lent.Dispose();

        Assert.False(overWhileUnderWay);
        await over.WaitAsync(TimeSpan.FromSeconds(5));
        Array.ForEach(own, l => l.Dispose());
        lender.Dispose();
    }

    [Fact]
    public async Task CallsOver_AfterACallGivenUpOn_WaitsUntilItCanNoLongerReachThePlatform()
    {
        var budget = Budget();
        var lending = await CarriedAsync(budget, lane: 1);
        var givenUp = (AdmissionLease)await Acquire(budget, 1, lending);
        givenUp.GivenUp(TimeSpan.FromSeconds(10));
        givenUp.Dispose();

        lending.Leave();
        var late = lending.Late;
        var over = lending.CallsOverAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromMilliseconds(1));
        var overBefore = over.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(TimeSpan.FromSeconds(10), late);
        Assert.False(overBefore);
        await over.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.Zero, lending.Late);
        lending.Dispose();
    }

    [Fact]
    public async Task ACallInALentPlace_StartsOnlyWhileTheLendersLeaseIsHeld()
    {
        var budget = Budget();
        var lease = new OwnershipLease(TimeSpan.FromSeconds(1), _time);
        PollFor(_time, lease, TimeSpan.FromSeconds(1));
        using var lender = await CarriedAsync(budget, lane: 1, lease);
        using var borrower = new LaneLending(null);
        var own = new[] { await Acquire(budget, 0, borrower), await Acquire(budget, 0, borrower) };

        // The lender's consumer stopped polling for longer than its lease: its lanes' places wait for it to poll again.
        _time.Advance(TimeSpan.FromSeconds(1.5));
        var lent = Acquire(budget, 0, borrower).AsTask();
        var startedUnheld = await StartedSoon(lent);
        var inWindowMeanwhile = InWindow(budget, 1);
        PollFor(_time, lease, TimeSpan.FromSeconds(1));

        Assert.False(startedUnheld);
        Assert.Equal(0, inWindowMeanwhile);
        (await lent.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        Array.ForEach(own, l => l.Dispose());
    }

    [Fact]
    public async Task ALaneOfAnotherLaneCount_LendsNothing()
    {
        var budget = Budget(perSecond: 8, lanes: 2);
        using var lender = await CarriedAsync(budget, lane: 1, lanes: 4);
        using var borrower = new LaneLending(null);
        var own = new List<RateLimitLease>();
        for (var i = 0; i < 4; i++)
        {
            own.Add(await Acquire(budget, 0, borrower));
        }

        var fifth = Acquire(budget, 0, borrower).AsTask();

        Assert.False(await StartedSoon(fifth));
        own.ForEach(l => l.Dispose());
    }

    [Fact]
    public async Task ACallWhoseShopIsFullOnItsLane_TakesAFreePlaceOfTheShopOnALentLane()
    {
        // 8 calls a second in two lanes of 4; the shop's 2 a second are one on each lane.
        var budget = new PlatformBudget("demo", new RateLimitOptions { PermitsPerSecond = 8, Lanes = 2, PerShopPermitsPerSecond = 2 }, _time);
        using var lender = new LaneLending(null);
        (await budget.AcquireAsync(new LaneRef(1, 2), "7", null, CancellationToken.None, lending: lender)).Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));
        using var borrower = new LaneLending(null);

        var own = await budget.AcquireAsync(new LaneRef(0, 2), "7", null, CancellationToken.None, lending: borrower);
        var lent = budget.AcquireAsync(new LaneRef(0, 2), "7", null, CancellationToken.None, lending: borrower).AsTask();
        var lentStarted = await StartedSoon(lent);
        var third = budget.AcquireAsync(new LaneRef(0, 2), "7", null, CancellationToken.None, lending: borrower).AsTask();
        var thirdStarted = await StartedSoon(third);

        // The shop's place on lane 1 is taken, and its two calls a second are all it gets.
        Assert.True(lentStarted);
        Assert.False(thirdStarted);
        own.Dispose();
        (await lent).Dispose();
        lender.Leave();
        var over = lender.CallsOverAsync(CancellationToken.None);
        Assert.True(over.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        (await third.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public void AShopsLastSlicesOnOneLane_UseItsPlacesOnTheOtherLanes_AndNeverExceedItsLimit() =>
        SingleThread.Run(ShopOnOneLaneAsync);

    private async Task ShopOnOneLaneAsync()
    {
        // Platform 16 a second in 8 lanes, the shop 8 a second: one on each lane. Every lane carried the shop's calls
        // here; its last four slices are all on lane 2.
        var budget = new PlatformBudget("demo", new RateLimitOptions { PermitsPerSecond = 16, Lanes = 8, PerShopPermitsPerSecond = 8 }, _time);
        var lendings = new List<LaneLending>();
        for (var lane = 0; lane < 8; lane++)
        {
            var lending = new LaneLending(null);
            (await budget.AcquireAsync(new LaneRef(lane, 8), "7", null, CancellationToken.None, lending: lending)).Dispose();
            lendings.Add(lending);
        }

        _time.Advance(TimeSpan.FromSeconds(2));
        Task<RateLimitLease> Next() => budget.AcquireAsync(new LaneRef(2, 8), "7", null, CancellationToken.None, lending: lendings[2]).AsTask();
        var starts = await RepeatAsync(_time, callers: 4, Next, TimeSpan.FromSeconds(10));

        // Without lending the shop's share on lane 2 alone: one call a second.
        Assert.Equal(8, MaxInAnyWindow(starts, TimeSpan.FromSeconds(1)));
        Assert.InRange(starts.Count, 72, 88);
        lendings.ForEach(l => l.Dispose());
    }

    [Theory]
    [InlineData(RateLimitCounting.Strict)]
    [InlineData(RateLimitCounting.Arrival)]
    public void OneBusyLane_UsesTheIdleLanesPlaces_AndThePlatformStillSeesNoMoreThanItsLimit(RateLimitCounting counting) =>
        SingleThread.Run(() => OneBusyLaneAsync(counting));

    private async Task OneBusyLaneAsync(RateLimitCounting counting)
    {
        // 16 calls a second in 8 lanes of 2. Every lane was carried here, and the slices left are all on lane 3: eight of
        // them, calling again a tick after each answer.
        var budget = Budget(16, lanes: 8, counting);
        var lendings = new List<LaneLending>();
        for (var lane = 0; lane < 8; lane++)
        {
            lendings.Add(await CarriedAsync(budget, lane, lanes: 8));
        }

        _time.Advance(TimeSpan.FromSeconds(2));
        var starts = await RepeatAsync(_time, callers: 8, () => Acquire(budget, 3, lendings[3], lanes: 8).AsTask(), TimeSpan.FromSeconds(10));

        // Without lending lane 3 alone would make 2 calls a second, 20 in the 10 s.
        Assert.InRange(MaxInAnyWindow(starts, TimeSpan.FromSeconds(1)), 15, 16);
        var held = counting == RateLimitCounting.Arrival ? 1.05 : 1.0;
        Assert.InRange(starts.Count, (10 / held * 16) - 16, (10 / held * 16) + 16);
        Assert.All(budget.Snapshot().Lanes, l => Assert.InRange(l.InWindow, 0, 2));
        lendings.ForEach(l => l.Dispose());
    }
}
