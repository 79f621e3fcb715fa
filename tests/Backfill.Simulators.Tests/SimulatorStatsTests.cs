using Microsoft.Extensions.Time.Testing;

namespace Backfill.Simulators.Tests;

public sealed class SimulatorStatsTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Snapshot_BeforeAnyCall_HasNoAcceptedTimes()
    {
        var snapshot = new SimulatorStats().Snapshot();

        Assert.Equal(new SimulatorStatsSnapshot(0, 0, 0, 0, 0, 0, null, null), snapshot);
    }

    [Fact]
    public void Accept_RecordsTheFirstAndTheLatestAcceptedCall()
    {
        var stats = new SimulatorStats();
        var start = _time.GetUtcNow();

        stats.Accept(1, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromMilliseconds(250));
        stats.Accept(2, _time.GetUtcNow());
        _time.Advance(TimeSpan.FromSeconds(3));
        stats.Accept(1, _time.GetUtcNow());

        Assert.Equal(start, stats.FirstAcceptedAt);
        Assert.Equal(start.AddSeconds(3.25), stats.LastAcceptedAt);
        Assert.Equal(3, stats.Accepted);
    }

    [Fact]
    public void Accept_ReportedOutOfOrder_KeepsTheEarliestAndTheLatest()
    {
        var stats = new SimulatorStats();
        var start = _time.GetUtcNow();

        // Request threads may report a later arrival before an earlier one.
        stats.Accept(1, start.AddSeconds(2));
        stats.Accept(1, start);
        stats.Accept(1, start.AddSeconds(1));

        Assert.Equal(start, stats.FirstAcceptedAt);
        Assert.Equal(start.AddSeconds(2), stats.LastAcceptedAt);
    }

    [Fact]
    public void Shops_CountEachShopsCalls_AndTheirSpan_LeavingOutCallsWithoutAShop()
    {
        var stats = new SimulatorStats();
        var start = _time.GetUtcNow();

        stats.Accept(1, start.AddSeconds(2), "b");
        stats.Accept(1, start, "a");
        stats.Accept(1, start.AddSeconds(5), "a");
        stats.Accept(1, start.AddSeconds(1), "a");
        stats.Accept(1, start.AddSeconds(9));

        Assert.Equal([new ShopCallsSnapshot("a", 3, start, start.AddSeconds(5)), new ShopCallsSnapshot("b", 1, start.AddSeconds(2), start.AddSeconds(2))], stats.Shops());
        Assert.Equal((3, 1, 5), (stats.AcceptedFor("a"), stats.AcceptedFor("b"), stats.Accepted));
    }

    [Fact]
    public void Arrive_KeepsThePeak_AndDoesNotCountAsAccepted()
    {
        var stats = new SimulatorStats();

        stats.Arrive(3);
        stats.Arrive(7);
        stats.Arrive(5);

        Assert.Equal(7, stats.PeakArrivalsPerSecond);
        Assert.Equal(0, stats.Accepted);
        Assert.Null(stats.FirstAcceptedAt);
    }

    [Fact]
    public void PeakArrivals_AndPeakAccepted_AreKeptApart()
    {
        var stats = new SimulatorStats();

        stats.Arrive(1);
        stats.Accept(1, _time.GetUtcNow());
        stats.Arrive(2);
        stats.Refuse();

        var snapshot = stats.Snapshot();
        Assert.Equal(2, snapshot.PeakArrivalsPerSecond);
        Assert.Equal(1, snapshot.PeakCallsPerSecond);
        Assert.Equal(1, snapshot.Refused);
    }

    [Fact]
    public async Task Accept_FromManyThreads_KeepsTheExtremes()
    {
        var stats = new SimulatorStats();
        var start = _time.GetUtcNow();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 1000; i++)
            {
                stats.Accept(i % 20, start.AddMilliseconds((i * 8) + t));
                stats.Arrive(i % 30);
            }
        })));

        Assert.Equal(8000, stats.Accepted);
        Assert.Equal(start, stats.FirstAcceptedAt);
        Assert.Equal(start.AddMilliseconds((999 * 8) + 7), stats.LastAcceptedAt);
        Assert.Equal(19, stats.PeakCallsPerSecond);
        Assert.Equal(29, stats.PeakArrivalsPerSecond);
    }
}
