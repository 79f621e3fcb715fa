using Backfill.Scheduling.Alerts;
using Backfill.Scheduling.Tests.Alerts;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests;

/// <summary>What the board raises as it learns of cool-offs, spent quotas and workers' failed commits.</summary>
public sealed class PlatformBoardAlertsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly RecordingAlerts _alerts = new();
    private readonly PlatformBoard _board;

    public PlatformBoardAlertsTests() => _board = new PlatformBoard(_time, alerts: _alerts);

    [Fact]
    public void CoolOff_RaisedWhenOneBegins_NotWhenExtendedOrRepeated_NorForOneAlreadyOver()
    {
        var now = _time.GetUtcNow();
        _board.CoolOff("shopee", now.AddSeconds(-5), "read again from the topic's start");
        _board.CoolOff("shopee", now.AddMinutes(1), "breaker opened in worker w1");
        _board.CoolOff("shopee", now.AddMinutes(1), "breaker opened in worker w1");
        _board.CoolOff("shopee", now.AddMinutes(2), "breaker opened in worker w2");
        _time.Advance(TimeSpan.FromMinutes(3));
        _board.CoolOff("shopee", _time.GetUtcNow().AddMinutes(1), "breaker opened in worker w1");

        Assert.Equal([(now.AddMinutes(1), "breaker opened in worker w1"), (_time.GetUtcNow().AddMinutes(1), "breaker opened in worker w1")],
            _alerts.Raised.Select(a => (a.Until!.Value, a.Error!)));
        Assert.All(_alerts.Raised, a => Assert.Equal((AlertEvents.PlatformCoolOff, "shopee"), (a.Event, a.Platform!)));
    }

    [Fact]
    public void QuotaSpent_RaisedOnceAsTheQuotas_NotAsACoolOff()
    {
        var until = _time.GetUtcNow().AddHours(5);
        _board.QuotaSpent("lazada", until, "the backfill share of its quota is spent");
        _board.QuotaSpent("lazada", until, "the platform refused a call for its quota");

        var alert = Assert.Single(_alerts.Raised);
        Assert.Equal((AlertEvents.PlatformQuotaSpent, "lazada", until, "the backfill share of its quota is spent"), (alert.Event, alert.Platform!, alert.Until!.Value, alert.Error!));
        Assert.NotNull(_board.CoolingOffUntil("lazada"));
    }

    [Fact]
    public void WorkerCommitFailures_RaisedWhenAProcesssCountGrows_NotForRepeatsOrOlderReports()
    {
        _board.WorkerKafkaReported("shopee", "host-1", 0, 0);
        _board.WorkerKafkaReported("shopee", "host-1", 2, 0);
        _board.WorkerKafkaReported("shopee", "host-1", 2, 1);
        _board.WorkerKafkaReported("shopee", "host-1", 1, 1);
        _board.WorkerKafkaReported("shopee", "host-2", 1, 0);

        Assert.Equal([("host-1", 2L), ("host-2", 1L)], _alerts.Raised.Select(a => (a.Subject!, a.Counts!["commitFailures"])));
        Assert.All(_alerts.Raised, a => Assert.Equal(AlertEvents.WorkerCommitFailures, a.Event));
    }
}
