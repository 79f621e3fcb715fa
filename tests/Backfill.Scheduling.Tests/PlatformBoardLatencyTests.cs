using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests;

/// <summary>The calls' latency the board keeps from workers' step reports: what raises a platform's in-flight cap (<see cref="InFlightCap"/>).</summary>
public sealed class PlatformBoardLatencyTests
{
    private static readonly DateTimeOffset Start = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Latency_IsTheMeanOfEachLanesLastReport_IgnoringLanesThatDidNotSay()
    {
        var board = new PlatformBoard(new FakeTimeProvider(Start));
        Assert.Null(board.Latency("demo"));

        board.StepReported("demo", 0, 5, 0, "w1", Start, pages: 1, latency: TimeSpan.FromMilliseconds(900));
        board.StepReported("demo", 0, 5, 0, "w1", Start, pages: 1, latency: TimeSpan.FromMilliseconds(200));
        board.StepReported("demo", 1, 5, 0, "w1", Start, pages: 1, latency: TimeSpan.FromMilliseconds(400));
        board.StepReported("demo", 2, 5, 0, "w1", Start, pages: 1);

        Assert.Equal(TimeSpan.FromMilliseconds(300), board.Latency("demo"));
        Assert.Null(board.Latency("other"));
        Assert.Equal([200, 400, 0], board.Status("demo").Lanes.Select(l => l.LatencyMilliseconds));
    }
}
