using Microsoft.Extensions.Time.Testing;

namespace Backfill.Simulators.Tests;

public sealed class SlidingWindowCounterTests
{
    private readonly FakeTimeProvider _time = new();

    private static TimeSpan Ms(int milliseconds) => TimeSpan.FromMilliseconds(milliseconds);

    [Fact]
    public void TryAcquire_UpToTheLimit_Admits_ThenRefusesTheBurst()
    {
        var window = new SlidingWindowCounter(3, _time);

        var admitted = Enumerable.Range(0, 5).Select(_ => window.TryAcquire()).ToList();

        Assert.Equal([true, true, true, false, false], admitted);
        Assert.Equal(3, window.Count);
    }

    [Fact]
    public void TryAcquire_ExactlyOneSecondLater_IsAdmitted_AndOneTickEarlierIsNot()
    {
        var window = new SlidingWindowCounter(1, _time);
        window.TryAcquire();

        _time.Advance(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        var justBefore = window.TryAcquire();
        _time.Advance(TimeSpan.FromTicks(1));
        var atOneSecond = window.TryAcquire();

        Assert.False(justBefore);
        Assert.True(atOneSecond);
    }

    [Fact]
    public void RefusedCalls_DoNotConsumeTheWindow()
    {
        var window = new SlidingWindowCounter(1, _time);
        window.TryAcquire();

        _time.Advance(Ms(500));
        var refused = window.TryAcquire();
        _time.Advance(Ms(500));

        Assert.False(refused);
        Assert.True(window.TryAcquire());
    }

    [Fact]
    public void Window_Slides_RatherThanResettingEachSecond()
    {
        var window = new SlidingWindowCounter(2, _time);
        window.TryAcquire();              // t = 0
        _time.Advance(Ms(600));
        window.TryAcquire();              // t = 0.6

        _time.Advance(Ms(400));           // t = 1.0: the call at 0 has left, the one at 0.6 has not
        var first = window.TryAcquire();
        var second = window.TryAcquire();
        _time.Advance(Ms(600));           // t = 1.6: the call at 0.6 has left
        var third = window.TryAcquire();

        Assert.Equal([true, false, true], [first, second, third]);
    }

    [Fact]
    public void AfterAQuietSecond_TheFullLimitIsAvailableAgain()
    {
        var window = new SlidingWindowCounter(4, _time);
        for (var i = 0; i < 4; i++)
        {
            window.TryAcquire();
        }

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(0, window.Count);
        Assert.All(Enumerable.Range(0, 4), _ => Assert.True(window.TryAcquire()));
        Assert.False(window.TryAcquire());
    }

    [Fact]
    public void Window_OfOtherLength_SlidesOverThatLength()
    {
        var window = new SlidingWindowCounter(1, _time, TimeSpan.FromSeconds(2));
        window.TryAcquire();

        _time.Advance(TimeSpan.FromSeconds(1.5));
        var early = window.TryAcquire();
        _time.Advance(Ms(500));

        Assert.False(early);
        Assert.True(window.TryAcquire());
    }

    [Fact]
    public void TryAcquire_ReportsTheCountInTheWindow_AlsoWhenRefusing()
    {
        var window = new SlidingWindowCounter(2, _time);

        window.TryAcquire(out var first);
        _time.Advance(Ms(300));
        window.TryAcquire(out var second);
        var refused = window.TryAcquire(out var whenRefused);
        _time.Advance(Ms(700));
        window.TryAcquire(out var afterSlide);

        Assert.Equal([1, 2, 2, 2], [first, second, whenRefused, afterSlide]);
        Assert.False(refused);
    }

    [Fact]
    public void UnlimitedWindow_CountsEveryCall_InTheSlidingSecond()
    {
        var window = new SlidingWindowCounter(int.MaxValue, _time);
        var counts = new List<int>();

        for (var i = 0; i < 5; i++)
        {
            window.TryAcquire(out var inWindow);
            counts.Add(inWindow);
            _time.Advance(Ms(400));
        }

        // Calls at 0, 0.4, 0.8, 1.2, 1.6 s: the one at 0 leaves at 1.0, the one at 0.4 at 1.4.
        Assert.Equal([1, 2, 3, 3, 3], counts);
    }

    [Fact]
    public void Limit_BelowOne_IsRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SlidingWindowCounter(0, _time));
}
