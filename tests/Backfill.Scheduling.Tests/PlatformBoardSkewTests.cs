using Microsoft.Extensions.Time.Testing;

namespace Backfill.Scheduling.Tests;

/// <summary>The board's per-lane load and lag (R8): what status shows per partition, and when it calls a skew.</summary>
public sealed class PlatformBoardSkewTests
{
    private static readonly DateTimeOffset Start = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Status_AfterALagRead_ShowsEveryLaneWithItsPartitionPagesAndLag()
    {
        var board = new PlatformBoard(new FakeTimeProvider(Start));
        board.StepReported("demo", lane: 1, laneRate: 5, throttles: 0, "w1", Start, pages: 7);
        board.LagRead("demo", new Dictionary<int, (int, long)> { [0] = (3, 2), [1] = (0, 0), [2] = (1, 5) });

        var partitions = board.Status("demo").Partitions;

        Assert.Equal([new(0, 3, 0, 0, 2), new(1, 0, 7, 7, 0), new PartitionLoad(2, 1, 0, 0, 5)], partitions);
        Assert.Null(board.Status("demo").Skew);
    }

    [Fact]
    public void Skew_OneLaneWithMostPages_IsReported_AndEndsWhenItsPagesLeaveTheWindow()
    {
        var time = new FakeTimeProvider(Start);
        var board = new PlatformBoard(time);
        board.LagRead("demo", new Dictionary<int, (int, long)> { [0] = (2, 0), [1] = (3, 0), [2] = (0, 0), [3] = (1, 0) });
        board.StepReported("demo", 1, 5, 0, "w1", Start, pages: 60);
        board.StepReported("demo", 2, 5, 0, "w1", Start, pages: 3);

        Assert.StartsWith("partition 3 (lane 1) has 60 pages in the last 5 min", board.Status("demo").Skew, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromMinutes(6));
        Assert.Null(board.Status("demo").Skew);
        Assert.Equal(60, board.Status("demo").Partitions.Single(p => p.Lane == 1).Pages);
    }

    [Fact]
    public void Skew_OnePartitionsLagFarAboveTheOthers_IsReported()
    {
        var board = new PlatformBoard(new FakeTimeProvider(Start));
        board.LagRead("demo", new Dictionary<int, (int, long)> { [0] = (0, 40), [1] = (1, 2), [2] = (2, 3) });

        Assert.StartsWith("partition 0 (lane 0) has 40 action messages waiting", board.Status("demo").Skew, StringComparison.Ordinal);
    }
}
