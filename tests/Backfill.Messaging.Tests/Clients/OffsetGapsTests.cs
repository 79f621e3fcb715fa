using Backfill.Messaging.Clients;
using Confluent.Kafka;

namespace Backfill.Messaging.Tests.Clients;

public sealed class OffsetGapsTests
{
    private static readonly TopicPartition P0 = new("orders", 0);
    private static readonly TopicPartition P1 = new("orders", 1);

    [Fact]
    public void RecordsReadOneAfterAnother_SkipNothing()
    {
        var gaps = new OffsetGaps();
        gaps.Expect(P0, 10);

        Assert.Equal([0L, 0L, 0L], [gaps.Read(P0, 10), gaps.Read(P0, 11), gaps.Read(P0, 12)]);
    }

    [Fact]
    public void ARecordFurtherOnThanExpected_SaysHowManyWereNeverRead()
    {
        var gaps = new OffsetGaps();
        gaps.Expect(P0, 10);

        Assert.Equal(25, gaps.Read(P0, 35));
        Assert.Equal(0, gaps.Read(P0, 36));
    }

    [Fact]
    public void APartitionNothingWasExpectedOf_SkipsNothing_ThenIsFollowed()
    {
        var gaps = new OffsetGaps();

        Assert.Equal(0, gaps.Read(P1, 500));
        Assert.Equal(3, gaps.Read(P1, 504));
    }

    [Fact]
    public void TheEndOfAPartition_IsWhereItsNextRecordIsExpected()
    {
        var gaps = new OffsetGaps();
        gaps.Read(P0, 3);
        gaps.Expect(P0, 9);

        Assert.Equal(0, gaps.Read(P0, 9));
    }

    [Fact]
    public void AForgottenPartition_ExpectsNothing_AndTheOthersKeepTheirPlace()
    {
        var gaps = new OffsetGaps();
        gaps.Expect(P0, 10);
        gaps.Expect(P1, 20);

        gaps.Forget([P0]);

        Assert.Equal(0, gaps.Read(P0, 90));
        Assert.Equal(5, gaps.Read(P1, 25));
    }

    [Fact]
    public void ARecordBeforeTheExpectedOne_ARepeatAfterARewind_IsNoLoss()
    {
        var gaps = new OffsetGaps();
        gaps.Expect(P0, 10);

        Assert.Equal(0, gaps.Read(P0, 4));
        Assert.Equal(0, gaps.Read(P0, 5));
    }
}
