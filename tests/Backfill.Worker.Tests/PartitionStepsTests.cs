using Confluent.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Worker.Tests;

public sealed class PartitionStepsTests
{
    private static readonly TopicPartition Partition = new("actions", 3);

    private static PartitionSteps.Step Step(long offset, Task work, int failures = 0, Task? calls = null) =>
        new(new ConsumeResult<string, byte[]> { TopicPartitionOffset = new TopicPartitionOffset(Partition, offset) }, work, failures, new CancellationTokenSource(), calls);

    private readonly FakeTimeProvider _time = new();

    private static TaskCompletionSource Pending() => new();

    [Fact]
    public void CanTake_UntilMaxRunning_ThenNot()
    {
        using var steps = new PartitionSteps(maxRunning: 2, _time);
        steps.Add(Step(10, Pending().Task));
        Assert.True(steps.CanTake);

        steps.Add(Step(11, Pending().Task));

        Assert.False(steps.CanTake);
    }

    [Fact]
    public void TakeCommittable_LaterStepFinishedFirst_WaitsForTheEarlierOne()
    {
        using var steps = new PartitionSteps(maxRunning: 3, _time);
        var first = Pending();
        steps.Add(Step(10, first.Task));
        steps.Add(Step(11, Task.CompletedTask));
        steps.Add(Step(12, Task.CompletedTask));
        Succeed(steps);

        Assert.Null(steps.TakeCommittable());
        Assert.True(steps.CanTake);

        first.SetResult();
        Succeed(steps);

        Assert.Equal(12, steps.TakeCommittable()?.Offset.Value);
        Assert.True(steps.IsEmpty);
    }

    [Fact]
    public void TakeCommittable_StopsBeforeARunningStep()
    {
        using var steps = new PartitionSteps(maxRunning: 3, _time);
        steps.Add(Step(10, Task.CompletedTask));
        steps.Add(Step(11, Pending().Task));
        steps.Add(Step(12, Task.CompletedTask));
        Succeed(steps);

        Assert.Equal(10, steps.TakeCommittable()?.Offset.Value);
        Assert.Null(steps.TakeCommittable());
        Assert.Single(steps.Running);
    }

    [Fact]
    public void CanTake_FinishedStepsBehindASlowOne_AreBounded()
    {
        using var steps = new PartitionSteps(maxRunning: 1, _time);
        steps.Add(Step(0, Pending().Task));
        Assert.False(steps.CanTake);

        using var many = new PartitionSteps(maxRunning: 2, _time);
        many.Add(Step(0, Pending().Task));
        for (var offset = 1; offset < 32; offset++)
        {
            Assert.True(many.CanTake);
            many.Add(Step(offset, Task.CompletedTask));
            Succeed(many);
        }

        // One step still runs, yet 32 uncommitted steps (16 × 2) are as many as a crash may redo.
        Assert.False(many.CanTake);
    }

    [Fact]
    public void CanTake_StepsWhoseCallsAreOver_LeaveTheirPlace()
    {
        using var steps = new PartitionSteps(maxRunning: 2, _time);
        var acknowledged = Pending();
        steps.Add(Step(10, acknowledged.Task, calls: Task.CompletedTask));
        steps.Add(Step(11, Pending().Task, calls: Task.CompletedTask));
        Assert.True(steps.CanTake);

        steps.Add(Step(12, Pending().Task));
        steps.Add(Step(13, Pending().Task));

        // Two steps call; the first two only wait for Kafka, and the offset stays before them until they end.
        Assert.False(steps.CanTake);
        Assert.Equal(4, steps.Running.Count());
        Assert.Null(steps.TakeCommittable());
        acknowledged.SetResult();
        Succeed(steps);
        Assert.Equal(10, steps.TakeCommittable()?.Offset.Value);
    }

    [Fact]
    public void Replace_FailedStep_KeepsItsPlaceSoTheOffsetCannotPassIt()
    {
        using var steps = new PartitionSteps(maxRunning: 2, _time);
        var failed = Step(10, Task.FromException(new KafkaException(ErrorCode.Local_MsgTimedOut)));
        steps.Add(failed);
        steps.Add(Step(11, Task.CompletedTask));
        Assert.Equal(2, steps.Ended().Count);
        Succeed(steps);

        var retry = Pending();
        steps.Replace(failed, Step(10, retry.Task, failures: 1));

        Assert.Null(steps.TakeCommittable());
        retry.SetResult();
        Succeed(steps);
        Assert.Equal(11, steps.TakeCommittable()?.Offset.Value);
    }

    [Fact]
    public void Add_OutOfOffsetOrder_Throws()
    {
        using var steps = new PartitionSteps(maxRunning: 2, _time);
        steps.Add(Step(10, Pending().Task));

        Assert.Throws<InvalidOperationException>(() => steps.Add(Step(10, Pending().Task)));
    }

    private static void Succeed(PartitionSteps steps)
    {
        foreach (var step in steps.Ended().Where(s => s.Work.IsCompletedSuccessfully))
        {
            step.Succeeded();
        }
    }

    [Fact]
    public void CommitRefused_IsOfferedAgainAfterAPause_OrAtOnceWhenLeaving_AndALaterStepSupersedesIt()
    {
        using var steps = new PartitionSteps(maxRunning: 2, _time);
        steps.Add(Step(10, Task.CompletedTask));
        Succeed(steps);
        var refused = steps.TakeCommittable()!;
        steps.CommitRefused(refused);

        Assert.Null(steps.TakeCommittable());
        Assert.Equal(10, steps.TakeCommittable(leaving: true)?.Offset.Value);

        steps.CommitRefused(refused);
        _time.Advance(PartitionSteps.CommitRetry);
        Assert.Equal(10, steps.TakeCommittable()?.Offset.Value);
        Assert.Null(steps.TakeCommittable());

        steps.CommitRefused(refused);
        steps.Add(Step(11, Task.CompletedTask));
        Succeed(steps);
        Assert.Equal(11, steps.TakeCommittable()?.Offset.Value);
        _time.Advance(PartitionSteps.CommitRetry);
        Assert.Null(steps.TakeCommittable());
    }
}
