using Backfill.Core.Data;

namespace Backfill.Core.Tests.Data;

public sealed class RecordSpanTests
{
    private static readonly TopicOffset[] From = [At("orders", 0, 100), At("orders", 1, 50)];
    private static readonly TopicOffset[] To = [At("orders", 0, 200), At("orders", 1, 80)];

    [Fact]
    public void NothingLost_LosesNothing() => Assert.Equal(0, RecordSpan.Lost([], From, To));

    [Theory]
    [InlineData(0, 99, 0)] // wholly before the job's first record
    [InlineData(200, 250, 0)] // wholly after its end: written after it finished
    [InlineData(90, 109, 10)] // the first ten of its span
    [InlineData(120, 129, 10)] // inside it
    [InlineData(190, 260, 10)] // its last ten and later ones
    [InlineData(0, 500, 100)] // all of its span and more
    public void ARangeOnOnePartition_CountsWhatLiesInTheSpan(long from, long to, long expected) =>
        Assert.Equal(expected, RecordSpan.Lost([new LostRange("orders", 0, from, to)], From, To));

    [Fact]
    public void RangesOnSeveralPartitions_AddUp_EachAgainstItsOwnPartitionsSpan() =>
        Assert.Equal(10 + 30, RecordSpan.Lost([new LostRange("orders", 0, 150, 159), new LostRange("orders", 1, 0, 1000)], From, To));

    [Fact]
    public void ARangeOfAnotherTopicOrPartition_IsNotTheJobs() =>
        Assert.Equal(0, RecordSpan.Lost([new LostRange("finance", 0, 100, 150), new LostRange("orders", 2, 100, 150)], From, To));

    [Fact]
    public void AJobWithoutAStartBound_CountsFromThePartitionsBeginning() =>
        Assert.Equal(50, RecordSpan.Lost([new LostRange("orders", 0, 0, 49)], null, To));

    private static TopicOffset At(string topic, int partition, long offset) => new() { Topic = topic, Partition = partition, Offset = offset };
}
