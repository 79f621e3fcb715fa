using System.Threading.RateLimiting;
using Backfill.Platforms.Resilience;
using Backfill.Platforms.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Tests.Resilience;

public sealed class PlatformAdmissionTests : IDisposable
{
    private readonly FakeTimeProvider _time = new();
    private readonly ThrottleGate _gate;
    private readonly CallWindow _window;

    // The bucket reads its own clock, so it is refilled by hand here; with a one-tick period every refill fills it.
    private readonly TokenBucketRateLimiter _bucket = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = 1,
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromTicks(1),
        AutoReplenishment = false,
        QueueLimit = 10,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });

    private readonly PlatformAdmission _admission;

    public PlatformAdmissionTests()
    {
        _gate = new ThrottleGate(_time);
        _window = new CallWindow(2, TimeSpan.FromSeconds(1), _time);
        _admission = new PlatformAdmission(_bucket, _window, _gate);
    }

    public void Dispose() => _bucket.Dispose();

    private async Task<RateLimitLease> AdmitAsync()
    {
        _bucket.TryReplenish();
        return await _admission.AcquireAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Acquire_GateOpenTokenAndRoomAvailable_IsImmediate()
    {
        using var lease = await AdmitAsync();

        Assert.True(lease.IsAcquired);
        Assert.Equal(1, _window.Count);
    }

    [Fact]
    public async Task Acquire_WhileGateClosed_WaitsForThePauseWithoutTakingAPermit()
    {
        _gate.Close(TimeSpan.FromSeconds(1));

        var acquiring = _admission.AcquireAsync(CancellationToken.None).AsTask();
        var doneEarly = acquiring.IsCompleted;
        var waitingDuringPause = _gate.Waiting;
        var permitsDuringPause = _bucket.GetStatistics()!.CurrentAvailablePermits;
        _time.Advance(TimeSpan.FromSeconds(1));
        using var lease = await acquiring;

        Assert.False(doneEarly);
        Assert.Equal(1, waitingDuringPause);
        Assert.Equal(1, permitsDuringPause);
        Assert.True(lease.IsAcquired);
    }

    [Fact]
    public async Task Acquire_PermitGrantedDuringAThrottle_IsGivenUpAndTakenAgainAfterThePause()
    {
        using (await _bucket.AcquireAsync(1))
        {
            // Empties the bucket so the next caller queues.
        }

        var acquiring = _admission.AcquireAsync(CancellationToken.None).AsTask();
        _gate.Close(TimeSpan.FromSeconds(1));
        _bucket.TryReplenish();
        await Eventually.TrueAsync(() => _gate.Waiting == 1);
        var doneDuringPause = acquiring.IsCompleted;

        _time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.TrueAsync(() =>
        {
            _bucket.TryReplenish();
            return acquiring.IsCompleted;
        });
        using var lease = await acquiring;

        Assert.False(doneDuringPause);
        Assert.True(lease.IsAcquired);
        Assert.Equal(3, _bucket.GetStatistics()!.TotalSuccessfulLeases);
        Assert.Equal(1, _window.Count);
    }

    [Fact]
    public async Task Lease_Disposed_EndsTheCall_WhichStaysCountedForAWindow()
    {
        var lease = await AdmitAsync();
        lease.Dispose();
        var countedAfterEnd = _window.Count;
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(1, countedAfterEnd);
        Assert.Equal(0, _window.Count);
    }

    [Fact]
    public async Task Acquire_WindowFull_WaitsUntilTheOldestEndedCallLeavesIt()
    {
        (await AdmitAsync()).Dispose();
        _time.Advance(TimeSpan.FromMilliseconds(400));
        (await AdmitAsync()).Dispose();

        _bucket.TryReplenish();
        var third = _admission.AcquireAsync(CancellationToken.None).AsTask();
        _time.Advance(TimeSpan.FromMilliseconds(599));
        var doneEarly = third.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(1));
        using var lease = await third;

        Assert.False(doneEarly);
        Assert.True(lease.IsAcquired);
    }
}
