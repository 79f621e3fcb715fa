using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Tests;

public sealed class OwnershipLeaseTests
{
    private static readonly TimeSpan Length = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);
    private readonly FakeTimeProvider _time = new();

    /// <summary>A poll loop that returns every <see cref="Poll"/> for <paramref name="duration"/>.</summary>
    private void PollFor(OwnershipLease lease, TimeSpan duration)
    {
        for (var elapsed = TimeSpan.Zero; elapsed < duration; elapsed += Poll)
        {
            _time.Advance(Poll);
            lease.Renew();
        }
    }

    private OwnershipLease Held()
    {
        var lease = new OwnershipLease(Length, _time);
        lease.Renew();
        PollFor(lease, Length);
        Assert.True(lease.IsHeld);
        return lease;
    }

    [Fact]
    public void NeverRenewed_IsNotHeld() => Assert.False(new OwnershipLease(Length, _time).IsHeld);

    [Fact]
    public void AtStart_IsHeldOnlyOnceTheLoopHasPolledForALength()
    {
        var lease = new OwnershipLease(Length, _time);
        Assert.Null(lease.Renew());

        PollFor(lease, Length - Poll);
        var early = lease.IsHeld;
        PollFor(lease, Poll);

        Assert.False(early);
        Assert.True(lease.IsHeld);
    }

    [Fact]
    public void NotRenewedForALength_Lapses()
    {
        var lease = Held();

        _time.Advance(Length - TimeSpan.FromMilliseconds(1));
        var justBefore = lease.IsHeld;
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(justBefore);
        Assert.False(lease.IsHeld);
    }

    [Fact]
    public void AfterAFreeze_APollDoesNotHoldItAgain_UntilTheLoopHasPolledForALength()
    {
        var lease = Held();

        // Every thread stopped at once (SIGSTOP) for longer than any group session; the first poll after it returns.
        _time.Advance(TimeSpan.FromSeconds(15));
        var gap = lease.Renew();
        var afterFirstPoll = lease.IsHeld;
        PollFor(lease, Length - Poll);
        var almost = lease.IsHeld;
        PollFor(lease, Poll);

        Assert.Equal(TimeSpan.FromSeconds(15), gap);
        Assert.False(afterFirstPoll);
        Assert.False(almost);
        Assert.True(lease.IsHeld);
    }

    [Fact]
    public void AGapShorterThanALength_KeepsItHeld()
    {
        var lease = Held();

        _time.Advance(Length - Poll);

        Assert.Null(lease.Renew());
        Assert.True(lease.IsHeld);
    }

    [Fact]
    public async Task WaitAsync_ReturnsAtOnceWhenHeld_ElseWhenARenewalHoldsIt()
    {
        var lease = Held();
        await lease.WaitAsync(CancellationToken.None);

        _time.Advance(TimeSpan.FromSeconds(15));
        var waiting = lease.WaitAsync(CancellationToken.None).AsTask();
        lease.Renew();
        PollFor(lease, Length - Poll);
        await Task.Yield();
        var early = waiting.IsCompleted;
        PollFor(lease, Poll);

        Assert.False(early);
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task WaitAsync_IsCancellable()
    {
        var lease = new OwnershipLease(Length, _time);
        using var cancel = new CancellationTokenSource();

        var waiting = lease.WaitAsync(cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Theory]
    [InlineData(10_000, 3_000, 2_333)] // classic protocol, the product's defaults
    [InlineData(3_000, 250, 916)] // KIP-848 on the embedded and dev cluster
    [InlineData(45_000, 5_000, 13_333)] // KIP-848, a Kafka 4 broker's defaults
    public void LengthFor_IsAThirdOfTheSessionLeftAfterOneHeartbeatInterval(int sessionMs, int heartbeatMs, int expectedMs) =>
        Assert.Equal(expectedMs, (int)OwnershipLease.LengthFor(TimeSpan.FromMilliseconds(sessionMs), TimeSpan.FromMilliseconds(heartbeatMs)).TotalMilliseconds);

    [Fact]
    public void LengthFor_AHeartbeatNoShorterThanTheSession_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => OwnershipLease.LengthFor(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)));
}
