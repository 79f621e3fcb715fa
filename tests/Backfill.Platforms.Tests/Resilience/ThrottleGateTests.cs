using Backfill.Platforms.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Tests.Resilience;

public sealed class ThrottleGateTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void NewGate_IsOpen() => Assert.True(new ThrottleGate(_time).IsOpen);

    [Fact]
    public void Close_KeepsTheGateShutForThePause()
    {
        var gate = new ThrottleGate(_time);

        gate.Close(TimeSpan.FromSeconds(2));
        _time.Advance(TimeSpan.FromMilliseconds(1999));
        var openBefore = gate.IsOpen;
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.False(openBefore);
        Assert.True(gate.IsOpen);
    }

    [Fact]
    public async Task WaitUntilOpen_ReturnsOnlyWhenThePauseHasPassed()
    {
        var gate = new ThrottleGate(_time);
        gate.Close(TimeSpan.FromSeconds(1));

        var waiting = gate.WaitUntilOpenAsync(CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(999));
        var doneEarly = waiting.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await waiting;

        Assert.False(doneEarly);
    }

    [Fact]
    public async Task WaitUntilOpen_FollowsAPauseExtendedWhileWaiting()
    {
        var gate = new ThrottleGate(_time);
        var start = _time.GetUtcNow();
        gate.Close(TimeSpan.FromSeconds(1));
        var waiting = gate.WaitUntilOpenAsync(CancellationToken.None).AsTask();

        _time.Advance(TimeSpan.FromMilliseconds(500));
        gate.Close(TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromMilliseconds(500));
        var doneAtFirstDeadline = waiting.IsCompleted;

        // The waiter re-arms its delay on a thread of its own; stepping time until it is done avoids racing it.
        await Poll.Eventually(() =>
        {
            _time.Advance(TimeSpan.FromMilliseconds(100));
            return waiting.IsCompleted;
        }, TimeSpan.FromSeconds(5), "the waiter to pass the gate");

        Assert.False(doneAtFirstDeadline);
        Assert.True(_time.GetUtcNow() - start >= TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task WaitUntilOpen_CountsTheCallersItHolds()
    {
        var gate = new ThrottleGate(_time);
        gate.Close(TimeSpan.FromSeconds(1));

        var first = gate.WaitUntilOpenAsync(CancellationToken.None).AsTask();
        var second = gate.WaitUntilOpenAsync(CancellationToken.None).AsTask();
        var held = gate.Waiting;
        _time.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(first, second);

        Assert.Equal(2, held);
        Assert.Equal(0, gate.Waiting);
    }

    [Fact]
    public void Close_ShorterPause_DoesNotShortenTheRunningOne()
    {
        var gate = new ThrottleGate(_time);

        gate.Close(TimeSpan.FromSeconds(5));
        gate.Close(TimeSpan.FromSeconds(1));

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(5), gate.ClosedUntil);
    }

    [Fact]
    public async Task WaitUntilOpen_Cancelled_Throws()
    {
        var gate = new ThrottleGate(_time);
        gate.Close(TimeSpan.FromMinutes(1));
        using var cancel = new CancellationTokenSource();

        var waiting = gate.WaitUntilOpenAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
