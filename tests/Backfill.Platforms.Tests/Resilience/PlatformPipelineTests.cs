using System.Threading.RateLimiting;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;
using Microsoft.Extensions.Time.Testing;
using Polly;

namespace Backfill.Platforms.Tests.Resilience;

public sealed class PlatformPipelineTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly PlatformBudget _budget;
    private readonly ResiliencePipeline _pipeline;
    private int _attempts;

    public PlatformPipelineTests()
    {
        _budget = Budget(10);
        _pipeline = PlatformPipeline.Create(
            "demo",
            new RetryOptions { MaxAttempts = 3, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero },
            TimeSpan.FromSeconds(10),
            Admit(_budget),
            _time);
    }

    private PlatformBudget Budget(double perSecond) => new("demo", new RateLimitOptions { PermitsPerSecond = perSecond, Lanes = 1 }, _time);

    private static Func<ResilienceContext, ValueTask<RateLimitLease>> Admit(PlatformBudget budget) =>
        context => budget.AcquireAsync(LaneRef.Whole, "1", null, context.CancellationToken);

    private Task<int> RunAsync(params PlatformErrorKind?[] outcomes) =>
        _pipeline.ExecuteAsync(_ =>
        {
            var attempt = Interlocked.Increment(ref _attempts);
            return outcomes.ElementAtOrDefault(attempt - 1) is { } kind
                ? throw new PlatformException("demo", kind, "code", "message")
                : ValueTask.FromResult(attempt);
        }).AsTask();

    [Fact]
    public async Task Transient_IsRetriedUntilMaxAttemptsInTotal()
    {
        var failure = await Assert.ThrowsAsync<PlatformException>(() =>
            RunAsync(PlatformErrorKind.Transient, PlatformErrorKind.Transient, PlatformErrorKind.Transient, PlatformErrorKind.Transient));

        Assert.Equal(PlatformErrorKind.Transient, failure.Kind);
        Assert.Equal(3, _attempts);
    }

    [Fact]
    public async Task Transient_ThenSuccess_ReturnsTheResult()
    {
        Assert.Equal(2, await RunAsync(PlatformErrorKind.Transient));
    }

    [Theory]
    [InlineData(PlatformErrorKind.Permanent)]
    [InlineData(PlatformErrorKind.Throttle)]
    public async Task PermanentAndThrottle_AreNeverRetried(PlatformErrorKind kind)
    {
        await Assert.ThrowsAsync<PlatformException>(() => RunAsync(kind));

        Assert.Equal(1, _attempts);
    }

    [Fact]
    public async Task EveryAttempt_IncludingRetries_TakesAPlaceInTheWindow()
    {
        await Assert.ThrowsAsync<PlatformException>(() =>
            RunAsync(PlatformErrorKind.Transient, PlatformErrorKind.Transient, PlatformErrorKind.Transient));

        Assert.Equal(3, Assert.Single(_budget.Snapshot().Lanes).InWindow);
    }

    [Fact]
    public async Task Attempt_WhileThePlatformIsPaused_StartsOnlyAfterThePause()
    {
        _budget.Gate.Close(TimeSpan.FromSeconds(1));

        var running = RunAsync();
        var startedEarly = Volatile.Read(ref _attempts) > 0;
        _time.Advance(TimeSpan.FromSeconds(1));
        await running;

        Assert.False(startedEarly);
        Assert.Equal(1, _attempts);
    }

    [Fact]
    public async Task Attempts_HoldTheirPlaceInTheWindowUntilAWindowAfterTheyEnded()
    {
        var pipeline = PlatformPipeline.Create(
            "demo", new RetryOptions { MaxAttempts = 1 }, TimeSpan.FromSeconds(10), Admit(Budget(1)), _time);
        var release = new TaskCompletionSource();
        var first = pipeline.ExecuteAsync(async _ => await release.Task).AsTask();

        // The first call is slow: the second must wait for its end, then a full window, not a window after its start.
        _time.Advance(TimeSpan.FromSeconds(5));
        var second = pipeline.ExecuteAsync(_ => ValueTask.CompletedTask).AsTask();
        var secondWhileFirstInFlight = second.IsCompleted;
        release.SetResult();
        await first;
        _time.Advance(TimeSpan.FromMilliseconds(999));
        var secondJustBefore = second.IsCompleted;
        // The waiting caller reads the clock and then sets its timer on a thread of its own: if the 999 ms step above
        // fell in between, its timer is due up to a second later on the fake clock, a thousand 1 ms steps away.
        await Poll.Eventually(
            () =>
            {
                _time.Advance(TimeSpan.FromMilliseconds(1));
                return second.IsCompleted;
            },
            TimeSpan.FromSeconds(60),
            "the second call to start");

        Assert.False(secondWhileFirstInFlight);
        Assert.False(secondJustBefore);
    }

    [Fact]
    public async Task SingleAttemptConfigured_HasNoRetry()
    {
        var pipeline = PlatformPipeline.Create(
            "demo", new RetryOptions { MaxAttempts = 1 }, TimeSpan.FromSeconds(10), Admit(Budget(100)), _time);

        await Assert.ThrowsAsync<PlatformException>(() => pipeline.ExecuteAsync<int>(_ =>
        {
            Interlocked.Increment(ref _attempts);
            throw new PlatformException("demo", PlatformErrorKind.Transient, "code", "message");
        }).AsTask());

        Assert.Equal(1, _attempts);
    }

    [Fact]
    public async Task Retry_NeverBeforeBaseDelayAfterTheFailure()
    {
        var pipeline = PlatformPipeline.Create(
            "demo", new RetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromMilliseconds(200), MaxDelay = TimeSpan.FromSeconds(5) }, TimeSpan.FromSeconds(10), Admit(Budget(100)), _time);

        var running = pipeline.ExecuteAsync(_ => Interlocked.Increment(ref _attempts) == 1
            ? throw new PlatformException("demo", PlatformErrorKind.Transient, "code", "message")
            : ValueTask.FromResult(_attempts)).AsTask();
        await Poll.Eventually(() => Volatile.Read(ref _attempts) == 1, TimeSpan.FromSeconds(10), "the first attempt");
        _time.Advance(TimeSpan.FromMilliseconds(199));
        var retriedEarly = Volatile.Read(ref _attempts) > 1;
        await Poll.Eventually(
            () =>
            {
                _time.Advance(TimeSpan.FromMilliseconds(10));
                return running.IsCompleted;
            },
            TimeSpan.FromSeconds(60),
            "the retry to answer");

        Assert.False(retriedEarly);
        Assert.Equal(2, await running);
    }
}
