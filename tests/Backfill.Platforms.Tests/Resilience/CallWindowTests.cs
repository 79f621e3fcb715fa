using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Tests.Resilience;

public sealed class CallWindowTests
{
    private readonly FakeTimeProvider _time = new();

    /// <summary>No room until <paramref name="after"/> from now, to the millisecond, then room.</summary>
    private void RoomComesIn(CallWindow window, TimeSpan after)
    {
        _time.Advance(after - TimeSpan.FromMilliseconds(1));
        var justBefore = window.TryStart(out _);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(justBefore);
        Assert.True(window.TryStart(out _));
    }

    private CallWindow Window(int limit) => new(limit, TimeSpan.FromSeconds(1), _time);

    private static CallWindow.Call Start(CallWindow window) =>
        window.TryStart(out var call) ? call : throw new InvalidOperationException("no room");

    [Fact]
    public void TryStart_UpToTheLimit_Starts_ThenRefuses()
    {
        var window = Window(2);

        var started = Enumerable.Range(0, 3).Select(i => window.TryStart(out var _)).ToList();

        Assert.Equal([true, true, false], started);
    }

    [Fact]
    public void CallInFlight_IsCountedHoweverLongItTakes()
    {
        var window = Window(1);
        Start(window);

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.False(window.TryStart(out _));
    }

    [Fact]
    public void EndedCall_IsCountedForOneWindowAfterItsEnd_NotAfterItsStart()
    {
        var window = Window(1);
        var call = Start(window);
        _time.Advance(TimeSpan.FromMilliseconds(700));
        call.Dispose();

        RoomComesIn(window, TimeSpan.FromMilliseconds(1000));
    }

    [Fact]
    public void Call_DisposedTwice_EndsOnce()
    {
        var window = Window(2);
        var call = Start(window);
        Start(window);

        call.Dispose();
        call.Dispose();

        Assert.Equal(2, window.Count);
    }

    [Fact]
    public void UnansweredCall_IsCountedForOneWindowAfterItsLatestPossibleArrival()
    {
        var window = Window(1);
        var call = Start(window);
        _time.Advance(TimeSpan.FromMilliseconds(400));
        call.Unanswered(TimeSpan.FromMilliseconds(400));

        RoomComesIn(window, TimeSpan.FromMilliseconds(1400));
    }

    [Fact]
    public async Task UnansweredCall_AnsweredCallEndingLater_LeavesTheWindowFirst()
    {
        var window = Window(2);
        var unanswered = Start(window);
        var answered = Start(window);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        unanswered.Unanswered(TimeSpan.FromMilliseconds(500));
        _time.Advance(TimeSpan.FromMilliseconds(100));
        answered.Dispose();

        var waiting = window.WaitForRoomAsync(CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(999));
        var beforeTheAnswered = waiting.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await waiting;
        var oneFree = window.TryStart(out _);
        var secondFree = window.TryStart(out _);
        _time.Advance(TimeSpan.FromMilliseconds(400));

        Assert.False(beforeTheAnswered);
        Assert.True(oneFree);
        Assert.False(secondFree, "the unanswered call counts until 1 s after 600 ms");
        Assert.True(window.TryStart(out _));
    }

    [Fact]
    public void OnArrival_UnansweredCall_IsCountedFromItsLatestPossibleArrival_NotItsStart()
    {
        var window = OnArrival(1);
        var call = Start(window);
        _time.Advance(TimeSpan.FromMilliseconds(400));
        call.Unanswered(TimeSpan.FromMilliseconds(400));

        RoomComesIn(window, TimeSpan.FromMilliseconds(1450));
    }

    [Fact]
    public void UnansweredCall_LeavesTheLatencyAsItWas()
    {
        var window = Window(2);
        var answered = Start(window);
        _time.Advance(TimeSpan.FromMilliseconds(300));
        answered.Dispose();
        var unanswered = Start(window);
        _time.Advance(TimeSpan.FromSeconds(10));
        unanswered.Unanswered(TimeSpan.FromSeconds(10));

        Assert.Equal(TimeSpan.FromMilliseconds(300), window.Latency);
    }

    [Fact]
    public async Task WaitForRoom_ReturnsAtOnce_WhenThereIsRoom()
    {
        await Window(1).WaitForRoomAsync(CancellationToken.None);
    }

    [Fact]
    public async Task WaitForRoom_AfterEndedCalls_ReturnsWhenTheOldestLeavesTheWindow()
    {
        var window = Window(1);
        Start(window).Dispose();

        var waiting = window.WaitForRoomAsync(CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(999));
        var doneEarly = waiting.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await waiting;

        Assert.False(doneEarly);
        Assert.True(window.TryStart(out _));
    }

    [Fact]
    public async Task WaitForRoom_AllCallsInFlight_ReturnsWhenOneEnds()
    {
        var window = Window(1);
        var call = Start(window);

        var waiting = window.WaitForRoomAsync(CancellationToken.None).AsTask();
        var doneWhileInFlight = waiting.IsCompleted;
        call.Dispose();
        await Poll.Eventually(() => waiting.IsCompleted, TimeSpan.FromSeconds(5), "the waiting call to start");

        Assert.False(doneWhileInFlight);
        Assert.False(window.TryStart(out _));
    }

    [Fact]
    public async Task WaitForRoom_Cancelled_Throws()
    {
        var window = Window(1);
        Start(window);
        using var cancel = new CancellationTokenSource();

        var waiting = window.WaitForRoomAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    private static readonly TimeSpan Jitter = TimeSpan.FromMilliseconds(50);

    /// <summary>A window counting on arrival.</summary>
    private CallWindow OnArrival(int limit) => new(limit, TimeSpan.FromSeconds(1), _time, new CallCounting(RateLimitCounting.Arrival, Jitter));

    /// <summary>On arrival, the gap between starts of a window that spreads them one by one: (1 s + J) / limit.</summary>
    private static TimeSpan Spacing(int limit) => (TimeSpan.FromSeconds(1) + Jitter) / limit;

    /// <summary>Starts a call, then lets a spacing pass so that the next start is due.</summary>
    private CallWindow.Call StartThenWait(CallWindow window)
    {
        var call = Start(window);
        _time.Advance(Spacing(window.Limit));
        return call;
    }

    [Fact]
    public void OnArrival_AFreshWindow_CountsItsFirstCallOnArrival()
    {
        var window = new CallWindow(1, TimeSpan.FromSeconds(1), _time, new CallCounting(RateLimitCounting.Arrival, Jitter));
        var first = Start(window);

        RoomComesIn(window, TimeSpan.FromMilliseconds(1050));
        first.Dispose();
    }

    [Fact]
    public void OnArrival_CallInFlight_IsCountedFromItsStartForAWindowPlusTheJitter()
    {
        var window = OnArrival(1);
        Start(window);

        RoomComesIn(window, TimeSpan.FromMilliseconds(1050));
    }

    [Fact]
    public void OnArrival_SlowAnswer_DoesNotHoldThePlaceBeyondAWindowPlusTheJitterFromTheStart()
    {
        var window = OnArrival(1);
        var call = Start(window);
        _time.Advance(TimeSpan.FromMilliseconds(900));
        call.Dispose();

        RoomComesIn(window, TimeSpan.FromMilliseconds(150));
    }

    [Fact]
    public void OnArrival_CallsStillInFlight_LeaveRoomOnceTheirStartsAreAWindowPlusTheJitterOld()
    {
        var window = OnArrival(2);
        StartThenWait(window);
        Start(window);

        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(0, window.Count);
        Assert.True(window.TryStart(out _));
    }

    [Fact]
    public void OnArrival_CancelledCall_GivesItsPlaceBackAtOnce()
    {
        var window = OnArrival(1);
        Start(window).Cancel();

        Assert.Equal(0, window.Count);
        Assert.True(window.TryStart(out _));
    }

    [Fact]
    public void OnArrival_SmallerCapacity_AppliesToTheCallsAlreadyCounted()
    {
        var limit = 3;
        var window = new CallWindow(() => (limit, TimeSpan.FromSeconds(1)), _time, new CallCounting(RateLimitCounting.Arrival, Jitter));
        Start(window);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        Start(window);

        limit = 1;
        _time.Advance(TimeSpan.FromMilliseconds(550));
        var oneLeft = window.TryStart(out _);
        _time.Advance(TimeSpan.FromMilliseconds(500));

        Assert.False(oneLeft);
        Assert.True(window.TryStart(out _));
    }

    [Fact]
    public async Task OnArrival_WaitForRoom_ReturnsWhenTheOldestStartIsAWindowPlusTheJitterOld_WithoutAnEnd()
    {
        var window = OnArrival(1);
        Start(window);

        var waiting = window.WaitForRoomAsync(CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(1049));
        var doneEarly = waiting.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await waiting;

        Assert.False(doneEarly);
        Assert.True(window.TryStart(out _));
    }

    [Fact]
    public void OnArrival_StartsAreSpreadOneASpacing_EachAllowedAJitterEarly()
    {
        var window = OnArrival(8);
        Start(window);

        RoomComesIn(window, Spacing(8) - Jitter);
        Assert.False(window.TryStart(out _));
    }

    [Fact]
    public void OnArrival_ASpacingShorterThanTheJitter_StartsAsManyAtOnceAsFitInIt()
    {
        var window = OnArrival(40);
        var atOnce = Enumerable.Range(0, 3).Select(_ => window.TryStart(out CallWindow.Call? _)).ToList();

        Assert.Equal([true, true, false], atOnce);
    }

    [Theory]
    [InlineData(8, 1)]
    [InlineData(40, 2)]
    public void OnArrival_SpreadStarts_StillTakeTheWholeLimitEveryWindowPlusJitter(int limit, int mostAtOnce)
    {
        var window = OnArrival(limit);
        var starts = new List<TimeSpan>();
        for (var at = TimeSpan.Zero; at < TimeSpan.FromMilliseconds(10_500); at += TimeSpan.FromMilliseconds(1))
        {
            while (window.TryStart(out _))
            {
                starts.Add(at);
            }

            _time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var mostInAWindow = starts.Max(s => starts.Count(t => t >= s && t < s + TimeSpan.FromMilliseconds(1050)));
        Assert.Equal(10 * limit, starts.Count);
        Assert.Equal(limit, mostInAWindow);
        Assert.Equal(mostAtOnce, starts.GroupBy(s => s).Max(g => g.Count()));
    }

    [Fact]
    public void OnArrival_StartThatNeverWentOut_GivesItsSpacingBack()
    {
        var window = OnArrival(4);
        Start(window).Cancel();

        Assert.True(window.TryStart(out _));
        Assert.False(window.TryStart(out _));
    }

    [Fact]
    public async Task OnArrival_WaitForRoom_WithPlacesFreeButTheNextStartNotDue_ReturnsWhenItIsDue()
    {
        var window = OnArrival(4);
        Start(window);

        var waiting = window.WaitForRoomAsync(CancellationToken.None).AsTask();
        _time.Advance(Spacing(4) - Jitter - TimeSpan.FromMilliseconds(1));
        var doneEarly = waiting.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.False(doneEarly);
        Assert.True(window.TryStart(out _));
    }

    [Fact]
    public void OnArrival_RequestLeavingWithinHalfTheJitter_StaysCountedOnArrival()
    {
        var window = OnArrival(1);
        var call = Start(window);
        _time.Advance(Jitter / 2);

        var departure = call.Leave();

        Assert.Equal(new Departure(DepartureKind.OnTime, Jitter / 2), departure);
        RoomComesIn(window, TimeSpan.FromMilliseconds(1050) - (Jitter / 2));
    }

    [Fact]
    public void OnArrival_RequestHeldPastHalfTheJitter_IsCountedStrict_UntilAWindowPlusTheJitterAfterItsEnd()
    {
        var window = OnArrival(1);
        var call = Start(window);
        _time.Advance((Jitter / 2) + TimeSpan.FromMilliseconds(1));

        var departure = call.Leave();
        _time.Advance(TimeSpan.FromSeconds(5));
        var fullWhileInFlight = !window.TryStart(out _);
        call.Dispose();

        Assert.Equal(DepartureKind.Late, departure.Kind);
        Assert.Equal(TimeSpan.FromMilliseconds(26), departure.Held);
        Assert.True(fullWhileInFlight, "counted strict: in flight, it holds its place beyond a window + J from its start");
        RoomComesIn(window, TimeSpan.FromMilliseconds(1050));
    }

    [Fact]
    public void OnArrival_RequestHeldPastItsPlaceInTheWindow_IsTooLate_AndEndsAsIfItHadNeverStarted()
    {
        var window = OnArrival(1);
        var latency = window.Latency;
        var held = Start(window);
        _time.Advance(TimeSpan.FromMilliseconds(1100));
        var next = Start(window);

        var departure = held.Leave();
        held.Dispose();

        Assert.Equal(new Departure(DepartureKind.TooLate, TimeSpan.FromMilliseconds(1100)), departure);
        Assert.Equal(1, window.Count);
        Assert.Equal(latency, window.Latency);
        next.Dispose();
    }

    [Fact]
    public void OnArrival_RequestHeldPastAWindowPlusTheJitter_IsTooLate_EvenWithNoOtherStart()
    {
        var window = OnArrival(1);
        var held = Start(window);
        _time.Advance(TimeSpan.FromMilliseconds(1050));

        Assert.Equal(DepartureKind.TooLate, held.Leave().Kind);
        Assert.Equal(0, window.Count);
    }

    [Fact]
    public void OnArrival_RequestLeavingTwice_IsCountedStrictOnce()
    {
        var window = OnArrival(2);
        var call = StartThenWait(window);

        var first = call.Leave();
        var second = call.Leave();
        call.Dispose();
        _time.Advance(TimeSpan.FromMilliseconds(1050));

        Assert.Equal(DepartureKind.Late, first.Kind);
        Assert.Equal(DepartureKind.OnTime, second.Kind);
        Assert.Equal(0, window.Count);
    }

    [Fact]
    public void Strict_RequestHeldHoweverLong_LeavesOnTime()
    {
        var window = Window(1);
        var call = Start(window);
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(Departure.OnTime, call.Leave());
        Assert.False(window.TryStart(out _));
    }

    [Fact]
    public void OnArrival_RequestLeavingWhileAConnectionIsOpened_IsCountedStrict()
    {
        var window = OnArrival(1);
        var call = Start(window);

        var departure = call.Leave(connecting: true);
        _time.Advance(TimeSpan.FromSeconds(5));
        var fullWhileInFlight = !window.TryStart(out _);
        call.Dispose();

        Assert.Equal(new Departure(DepartureKind.Connecting, TimeSpan.Zero), departure);
        Assert.True(fullWhileInFlight);
        RoomComesIn(window, TimeSpan.FromMilliseconds(1050));
    }

    [Fact]
    public void OnArrival_RequestStartingAConnection_IsCountedStrictFromThen()
    {
        var window = OnArrival(1);
        var call = Start(window);
        var departure = call.Leave();

        call.Connecting();
        _time.Advance(TimeSpan.FromSeconds(5));
        var fullWhileInFlight = !window.TryStart(out _);
        call.Dispose();

        Assert.Equal(DepartureKind.OnTime, departure.Kind);
        Assert.True(fullWhileInFlight);
        RoomComesIn(window, TimeSpan.FromMilliseconds(1050));
    }

    [Fact]
    public void OnArrival_ConnectionStartedForACallThatHadEnded_ChangesNothing()
    {
        var window = OnArrival(1);
        var call = Start(window);
        call.Leave();
        _time.Advance(TimeSpan.FromMilliseconds(300));
        call.Dispose();

        call.Connecting();

        RoomComesIn(window, TimeSpan.FromMilliseconds(750));
    }

    [Fact]
    public void Strict_StartsItsWholeLimitAtOnce()
    {
        var window = Window(8);

        var started = Enumerable.Range(0, 9).Count(i => window.TryStart(out CallWindow.Call? call));

        Assert.Equal(8, started);
    }

    [Fact]
    public void Latency_IsAMovingAverageOfTheCountedCalls_CancelledOnesLeftOut()
    {
        var window = Window(10);
        var first = Start(window);
        _time.Advance(TimeSpan.FromMilliseconds(800));
        first.Dispose();
        var second = Start(window);
        Start(window).Cancel();
        _time.Advance(TimeSpan.FromMilliseconds(400));
        second.Dispose();

        Assert.Equal(TimeSpan.FromMilliseconds(750), window.Latency);
    }
}
