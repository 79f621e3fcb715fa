namespace Backfill.Worker.Tests;

/// <summary>A partition is paused when its backlog is full, resumed once half of it started, and a message read far past a full backlog is put back.</summary>
public sealed class PartitionBacklogTests
{
    private readonly PartitionBacklog _backlog = new(Limit: 8);

    [Fact]
    public void For_HoldsAThousandTwentyFourMessagesPerStepPlace() => Assert.Equal(4096, PartitionBacklog.For(stepsPerPartition: 4).Limit);

    [Fact]
    public void Pauses_OnceTheBacklogIsFull_NotBefore()
    {
        Assert.False(_backlog.Pauses(7));
        Assert.True(_backlog.Pauses(8));
        Assert.True(_backlog.Pauses(9));
    }

    [Fact]
    public void Resumes_OnceAtMostHalfWaits_NotBefore()
    {
        Assert.False(_backlog.Resumes(5));
        Assert.True(_backlog.Resumes(4));
        Assert.True(_backlog.Resumes(0));
    }

    [Fact]
    public void Resumes_AnOddLimit_RoundsHalfDown()
    {
        var backlog = new PartitionBacklog(Limit: 5);

        Assert.False(backlog.Resumes(3));
        Assert.True(backlog.Resumes(2));
    }

    [Fact]
    public void PutsBack_OnlyWhenTwiceTheBacklogWaits()
    {
        Assert.False(_backlog.PutsBack(15));
        Assert.True(_backlog.PutsBack(16));
    }

    [Fact]
    public void BetweenPauseAndResume_APausedPartitionStaysPaused_AndARunningOneRuns()
    {
        foreach (var waiting in Enumerable.Range(5, 3))
        {
            Assert.False(_backlog.Pauses(waiting));
            Assert.False(_backlog.Resumes(waiting));
        }
    }
}
