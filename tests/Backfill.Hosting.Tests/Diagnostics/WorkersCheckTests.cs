using Backfill.Hosting.Diagnostics;

namespace Backfill.Hosting.Tests.Diagnostics;

/// <summary>The R9 row on worker consumers, from the group's members (a cluster that describes groups) or from the configuration.</summary>
public sealed class WorkersCheckTests
{
    [Fact]
    public void MoreMembersThanPartitions_WarnsThatTheRestSitIdle()
    {
        var row = KafkaDoctor.Workers(members: 6, unknown: null, concurrency: 2, "prod.workers", "prod.actions", partitions: 4);

        Assert.Equal(CheckStatus.Warn, row.Status);
        Assert.Equal("6 worker consumers are in group prod.workers but prod.actions has only 4 partition(s): 2 of them get no partition and sit idle (R9). Give prod.actions at least 6 partitions, or run fewer consumers (Worker:Concurrency, fewer 'backfill worker' processes).", row.Detail);
    }

    [Fact]
    public void NoMember_WarnsThatReleasedSlicesWait()
    {
        var row = KafkaDoctor.Workers(members: 0, unknown: null, concurrency: 2, "prod.workers", "prod.actions", partitions: 8);

        Assert.Equal(CheckStatus.Warn, row.Status);
        Assert.StartsWith("no worker consumer is in group prod.workers now", row.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void MembersThatFit_AreOk()
    {
        var row = KafkaDoctor.Workers(members: 8, unknown: null, concurrency: 2, "prod.workers", "prod.actions", partitions: 8);

        Assert.Equal(DoctorCheck.Ok("workers", "8 worker consumer(s) in group prod.workers share the 8 partition(s) of prod.actions."), row);
    }

    [Theory]
    [InlineData(4, CheckStatus.Ok)]
    [InlineData(5, CheckStatus.Warn)]
    public void MembersUnknown_JudgesOneWorkerProcessByItsConcurrency(int concurrency, CheckStatus status)
    {
        var row = KafkaDoctor.Workers(members: null, unknown: "cannot count", concurrency, "prod.workers", "prod.actions", partitions: 4);

        Assert.Equal(status, row.Status);
        Assert.StartsWith("cannot count; by this configuration", row.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Lanes_WithinPartitions_HaveNoAdvice()
    {
        Assert.Null(PartitionAdvice.Lanes("demo", 8, "x.actions", 8));
        Assert.Contains("demo has 9 budget lanes but x.actions has only 8 partition(s)", PartitionAdvice.Lanes("demo", 9, "x.actions", 8), StringComparison.Ordinal);
    }
}
