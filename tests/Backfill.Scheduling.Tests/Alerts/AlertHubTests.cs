using Backfill.Core.Jobs;
using Backfill.Scheduling.Alerts;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests.Alerts;

/// <summary>The hub's decisions on the injected clock, against a scripted target at the seam.</summary>
public sealed class AlertHubTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));

    private AlertHub Hub(NotificationOptions options, params IAlertTarget[] targets) =>
        new(Options.Create(options), targets, _time, NullLogger<AlertHub>.Instance);

    private static SliceRecord Slice(string job, string day, string error) =>
        new() { Id = $"{job}/1/{day}", JobId = job, Platform = "shopee", Shop = "1", Attempt = 1, State = SliceState.Failed, Error = error, Failure = "Permanent" };

    private static JobRecord Job(string id, JobState state) => new() { Id = id, Platform = "shopee", Shops = ["1"], State = state };

    [Fact]
    public async Task Raise_WhileTheTargetHangs_ReturnsAtOnce_AndAFullQueueDropsTheOldest()
    {
        var target = new ScriptedTarget(_time);
        target.Hang();
        using var hub = Hub(new NotificationOptions { QueueCapacity = 2 }, target);
        await hub.StartAsync(CancellationToken.None);

        foreach (var i in Enumerable.Range(0, 10))
        {
            // The first is taken by the hanging attempt; of the nine others the last two wait, seven are dropped.
            await Task.Run(() => hub.Raise(Alert.CoolOff("shopee", _time.GetUtcNow().AddMinutes(i + 1), "breaker", _time.GetUtcNow()))).WaitAsync(TimeSpan.FromSeconds(5));
            if (i == 0)
            {
                await Poll.Eventually(() => target.Started == 1, TimeSpan.FromSeconds(10), "the first alert to be taken");
            }
        }

        Assert.Equal(7, hub.Totals.Dropped);
        target.Release();
        await Poll.Eventually(() => hub.Totals.Delivered == 3, TimeSpan.FromSeconds(10), "the three kept alerts to be delivered");
        Assert.Equal([1, 9, 10], target.Delivered.Select(a => (int)(a.Until!.Value - _time.GetUtcNow()).TotalMinutes));
        await hub.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task SliceFailures_OneBatchPerJobPerMinute_AndAJobsEndSendsItsBatchFirst()
    {
        var target = new ScriptedTarget(_time);
        using var hub = Hub(new NotificationOptions { SliceFailedBatch = TimeSpan.FromMinutes(1) }, target);
        await hub.StartAsync(CancellationToken.None);

        hub.Raise(Alert.SliceFailed(Slice("a", "20240101", "error_auth"), _time.GetUtcNow()));
        hub.Raise(Alert.SliceFailed(Slice("a", "20240102", "error_auth"), _time.GetUtcNow()));
        hub.Raise(Alert.SliceFailed(Slice("b", "20240101", "timeout"), _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(30));
        hub.Raise(Alert.SliceFailed(Slice("a", "20240103", "error_auth"), _time.GetUtcNow()));
        Assert.Empty(target.Attempts);

        // Job b ends before its minute is up: its batch goes first, then its end.
        hub.Raise(Alert.JobFinished(Job("b", JobState.Failed), new SliceCounts(0, 0, 0, 0, 1, 0), _time.GetUtcNow()));
        await Poll.Eventually(() => target.Delivered.Count == 2, TimeSpan.FromSeconds(10), "job b's batch and end");
        Assert.Equal([("slice.failed", "b"), ("job.failed", "b")], target.Delivered.Select(a => (a.Event, a.Job!)));

        _time.Advance(TimeSpan.FromSeconds(30));
        await Poll.Eventually(() => target.Delivered.Count == 3, TimeSpan.FromSeconds(10), "job a's batch");
        var batch = target.Delivered[2];
        Assert.Equal(("slice.failed", "a"), (batch.Event, batch.Job));
        Assert.Equal(["a/1/20240101", "a/1/20240102", "a/1/20240103"], batch.Slices!.Select(s => s.Slice));
        await hub.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task TransientFailures_RetriedWithBackOffOnTheInjectedClock_UntilDelivered()
    {
        var target = new ScriptedTarget(_time).Answer(DeliveryOutcome.Retry("HTTP 500"), DeliveryOutcome.Retry("HTTP 503"), DeliveryOutcome.Retry("HTTP 429", TimeSpan.FromSeconds(10)));
        var retry = new DeliveryRetryOptions { MaxAttempts = 5, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromMinutes(1) };
        using var hub = Hub(new NotificationOptions { Retry = retry }, target);
        await hub.StartAsync(CancellationToken.None);
        var start = _time.GetUtcNow();

        hub.Raise(Alert.QuotaSpent("shopee", start.AddHours(1), "the backfill share of its quota is spent", start));
        await Poll.Eventually(() => target.Attempts.Count == 1, TimeSpan.FromSeconds(10), "the first attempt");
        foreach (var (wait, attempts) in new[] { (1, 2), (2, 3), (10, 4) })
        {
            _time.Advance(TimeSpan.FromSeconds(wait) - TimeSpan.FromMilliseconds(1));
            await Task.Delay(30);
            Assert.Equal(attempts - 1, target.Attempts.Count);
            _time.Advance(TimeSpan.FromMilliseconds(1));
            await Poll.Eventually(() => target.Attempts.Count == attempts, TimeSpan.FromSeconds(10), $"attempt {attempts}");
        }

        Assert.Equal([0, 1, 3, 13], target.Attempts.Select(a => (a.At - start).TotalSeconds));
        Assert.Equal((1L, 0L), (hub.Totals.Delivered, hub.Totals.Failed));
        await hub.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task AttemptsRunOut_OrTheTargetRefuses_TheAlertIsGivenUp_AndTheNextOneGoes()
    {
        var target = new ScriptedTarget(_time).Answer(DeliveryOutcome.Refused("HTTP 400"), DeliveryOutcome.Retry("HTTP 500"), DeliveryOutcome.Retry("HTTP 500"));
        using var hub = Hub(new NotificationOptions { Retry = new DeliveryRetryOptions { MaxAttempts = 2, BaseDelay = TimeSpan.FromSeconds(1) } }, target);
        await hub.StartAsync(CancellationToken.None);

        hub.Raise(Alert.CoolOff("shopee", _time.GetUtcNow().AddMinutes(1), null, _time.GetUtcNow()));
        hub.Raise(Alert.CoolOff("lazada", _time.GetUtcNow().AddMinutes(1), null, _time.GetUtcNow()));
        hub.Raise(Alert.CoolOff("tiktok", _time.GetUtcNow().AddMinutes(1), null, _time.GetUtcNow()));
        await Poll.Eventually(() => target.Attempts.Count == 2, TimeSpan.FromSeconds(10), "the refusal and the next alert's first attempt");
        _time.Advance(TimeSpan.FromSeconds(1));

        await Poll.Eventually(() => target.Delivered.Count == 1, TimeSpan.FromSeconds(10), "the third alert");
        Assert.Equal(["shopee", "lazada", "lazada", "tiktok"], target.Attempts.Select(a => a.Alert.Platform));
        Assert.Equal((1L, 2L), (hub.Totals.Delivered, hub.Totals.Failed));
        await hub.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task ATargetThatThrows_LosesThatAlertOnly_ItsSenderGoesOn()
    {
        var target = new ScriptedTarget(_time) { ThrowNext = new NotSupportedException("The SMTP server does not support authentication.") };
        using var hub = Hub(new NotificationOptions(), target);
        await hub.StartAsync(CancellationToken.None);

        hub.Raise(Alert.CoolOff("shopee", _time.GetUtcNow().AddMinutes(1), null, _time.GetUtcNow()));
        hub.Raise(Alert.CoolOff("lazada", _time.GetUtcNow().AddMinutes(1), null, _time.GetUtcNow()));
        await hub.StopAsync(CancellationToken.None);

        Assert.Equal(["lazada"], target.Delivered.Select(a => a.Platform));
        Assert.Equal((1L, 1L), (hub.Totals.Delivered, hub.Totals.Failed));
    }

    [Fact]
    public async Task SameKeyRaisedAgain_SentOnce_AndTargetsGetOnlyTheEventsTheyListed()
    {
        var jobs = new ScriptedTarget(_time, "job.failed", "job.succeeded");
        var all = new ScriptedTarget(_time, "*");
        using var hub = Hub(new NotificationOptions(), jobs, all);
        await hub.StartAsync(CancellationToken.None);
        var until = _time.GetUtcNow().AddMinutes(1);

        hub.Raise(Alert.CoolOff("shopee", until, "breaker", _time.GetUtcNow()));
        _time.Advance(TimeSpan.FromSeconds(5));
        hub.Raise(Alert.CoolOff("shopee", until, "breaker", _time.GetUtcNow()));
        hub.Raise(Alert.JobFinished(Job("j", JobState.Succeeded), new SliceCounts(0, 0, 0, 2, 0, 0), _time.GetUtcNow()));
        await hub.StopAsync(CancellationToken.None);

        Assert.Equal(["platform.cooloff", "job.succeeded"], all.Delivered.Select(a => a.Event));
        Assert.Equal(["job.succeeded"], jobs.Delivered.Select(a => a.Event));
    }

    [Fact]
    public async Task Stop_SendsOpenBatches_AndDeliversWhatIsQueued()
    {
        var target = new ScriptedTarget(_time);
        using var hub = Hub(new NotificationOptions(), target);
        await hub.StartAsync(CancellationToken.None);

        hub.Raise(Alert.SliceFailed(Slice("a", "20240101", "error_auth"), _time.GetUtcNow()));
        await hub.StopAsync(CancellationToken.None);

        Assert.Equal(["slice.failed"], target.Delivered.Select(a => a.Event));
    }
}
