

namespace Backfill.Platforms.Tests.Lanes;

public sealed class PartitionSkewTests
{
    [Fact]
    public void Of_OneLaneFarAboveTheMedian_NamesItsPartitionAndTheRatio()
    {
        var skew = PartitionSkew.Of("pages", [(0, 3, 120), (1, 0, 10), (2, 1, 12), (3, 2, 8)], PartitionSkew.MinimumPages);

        Assert.NotNull(skew);
        Assert.StartsWith("partition 3 (lane 0) has 120 pages, 10.9× the median lane (11) of 4", skew, StringComparison.Ordinal);
    }

    [Fact]
    public void Of_BusiestAtFourTimesTheMedian_IsNoSkew() =>
        Assert.Null(PartitionSkew.Of("pages", [(0, 0, 80), (1, 1, 20), (2, 2, 20), (3, 3, 20)], PartitionSkew.MinimumPages));

    [Fact]
    public void Of_BelowTheFloor_IsNoSkewEvenWithIdleLanes() =>
        Assert.Null(PartitionSkew.Of("pages", [(0, 0, 49), (1, 1, 0), (2, 2, 0)], PartitionSkew.MinimumPages));

    [Fact]
    public void Of_IdleLanesCount_SoOneBusyLaneAmongIdleOnesIsASkew() =>
        Assert.NotNull(PartitionSkew.Of("messages", [(0, null, 0), (1, null, 25), (2, null, 0)], PartitionSkew.MinimumLag));

    [Fact]
    public void Of_OneLane_IsNeverASkew() =>
        Assert.Null(PartitionSkew.Of("pages", [(0, 0, 1_000)], PartitionSkew.MinimumPages));
}
