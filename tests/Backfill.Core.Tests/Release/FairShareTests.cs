using Backfill.Core.Jobs;
using Backfill.Core.Release;

namespace Backfill.Core.Tests.Release;

public sealed class FairShareTests
{
    [Fact]
    public void Allocate_SmallJobBehindABigOne_GetsTheFreedRoomUntilTheSharesAreEven()
    {
        // The big job holds 30 of 32; 2 slices finished, then 14 more over the next rounds.
        var first = FairShare.Allocate([new("big", JobPriority.Normal, 30, 5_000), new("small", JobPriority.Normal, 0, 21)], 2);
        Assert.Equal([0, 2], first);

        var later = FairShare.Allocate([new("big", JobPriority.Normal, 16, 5_000), new("small", JobPriority.Normal, 2, 19)], 14);
        Assert.Equal([0, 14], later);

        var even = FairShare.Allocate([new("big", JobPriority.Normal, 14, 5_000), new("small", JobPriority.Normal, 14, 5)], 4);
        Assert.Equal([4, 0], FairShare.Allocate([new("big", JobPriority.Normal, 14, 5_000), new("small", JobPriority.Normal, 16, 0)], 4));
        Assert.Equal([2, 2], even);
    }

    [Fact]
    public void Allocate_Priorities_SharesInProportionToWeights()
    {
        var given = FairShare.Allocate([new("low", JobPriority.Low, 0, 100), new("normal", JobPriority.Normal, 0, 100), new("high", JobPriority.High, 0, 100)], 26);

        Assert.Equal([2, 8, 16], given);
    }

    [Fact]
    public void Allocate_LowPriorityBesideABusyHighJob_IsNeverStarved()
    {
        // The high job holds everything; whenever one slice's room frees, the low job with nothing in flight goes first.
        var given = FairShare.Allocate([new("high", JobPriority.High, 31, 1_000), new("low", JobPriority.Low, 0, 1_000)], 1);

        Assert.Equal([0, 1], given);
    }

    [Fact]
    public void Allocate_RoomNobodyElseWants_GoesToWhoeverWantsIt()
    {
        var given = FairShare.Allocate([new("a", JobPriority.Low, 0, 100), new("b", JobPriority.High, 3, 0)], 32);

        Assert.Equal([32, 0], given);
    }

    [Fact]
    public void Allocate_NeverMoreThanTheRoomNorThanWanted()
    {
        var given = FairShare.Allocate([new("a", JobPriority.Normal, 0, 3), new("b", JobPriority.Normal, 0, 4)], 100);
        Assert.Equal([3, 4], given);
        Assert.Equal(0, FairShare.Allocate([new("a", JobPriority.Normal, 0, 3)], 0).Sum());
    }
}
