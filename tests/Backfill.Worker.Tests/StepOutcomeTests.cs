using Backfill.Messaging.Contracts;
using Backfill.Platforms;

namespace Backfill.Worker.Tests;

/// <summary>Each fact about a decoded action leads to one outcome: dropped, cancelled, failed, stopped, next step or succeeded.</summary>
public sealed class StepOutcomeTests
{
    private static readonly ActionMessage Action = new()
    {
        Job = "job-1",
        Slice = "job-1/2024-03-01",
        Attempt = 1,
        Step = 3,
        Platform = "shopee",
        Shop = "shop-1",
        From = new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero),
        To = new DateTimeOffset(2024, 3, 2, 0, 0, 0, TimeSpan.Zero),
        Cursor = "cursor-3",
        Lane = 0,
        Lanes = 1,
        Partition = 2,
    };

    [Fact]
    public void Where_ACopyReadOffItsHomePartition_IsMisplaced_NamingItsHome() =>
        Assert.Equal(new StepOutcome.Misplaced(Home: 2), StepOutcome.Where(Action, partition: 5));

    [Fact]
    public void Where_OnItsHomePartition_Runs() => Assert.Null(StepOutcome.Where(Action, partition: 2));

    [Fact]
    public void Where_AnActionWithoutAHome_RunsWhereverItIsRead() =>
        Assert.Null(StepOutcome.Where(Action with { Partition = null }, partition: 5));

    [Fact]
    public void BeforeCalls_AStepDoneAlready_IsADuplicate_EvenWhenItsJobIsCancelled()
    {
        Assert.IsType<StepOutcome.Duplicate>(StepOutcome.BeforeCalls(done: true, jobCancelled: false));
        Assert.IsType<StepOutcome.Duplicate>(StepOutcome.BeforeCalls(done: true, jobCancelled: true));
    }

    [Fact]
    public void BeforeCalls_AStepOfACancelledJob_IsCancelled() =>
        Assert.IsType<StepOutcome.Cancelled>(StepOutcome.BeforeCalls(done: false, jobCancelled: true));

    [Fact]
    public void BeforeCalls_ANewStepOfARunningJob_Runs() => Assert.Null(StepOutcome.BeforeCalls(done: false, jobCancelled: false));

    [Theory]
    [InlineData(PlatformErrorKind.Transient, "transient")]
    [InlineData(PlatformErrorKind.Throttle, "throttle")]
    [InlineData(PlatformErrorKind.Quota, "quota")]
    [InlineData(PlatformErrorKind.TokenExpired, "token-expired")]
    [InlineData(PlatformErrorKind.Permanent, "permanent")]
    public void OfFailure_APlatformError_FailsTheSlice_WithItsKind(PlatformErrorKind kind, string failure)
    {
        var error = new PlatformException("shopee", kind, "error_code", "what the platform said");

        Assert.Equal(new StepOutcome.Failed(error.Message, failure), StepOutcome.OfFailure(error));
    }

    [Fact]
    public void OfFailure_AnUnknownPlatform_FailsTheSlice_AsPermanent() =>
        Assert.Equal("permanent", StepOutcome.OfFailure(new UnknownPlatformException("lazada", ["shopee"]))?.Failure);

    [Theory]
    [InlineData(typeof(InvalidOperationException))]
    [InlineData(typeof(OperationCanceledException))]
    [InlineData(typeof(TimeoutException))]
    public void OfFailure_AnyOtherError_IsTheInfrastructures_AndIsRetried(Type type) =>
        Assert.Null(StepOutcome.OfFailure((Exception)Activator.CreateInstance(type)!));

    [Fact]
    public void OfResult_PagesLeft_IsTheNextStep_FromTheCursor()
    {
        var next = Assert.IsType<StepOutcome.Next>(StepOutcome.OfResult(Action, Result(more: true, cursor: "cursor-4"), jobCancelled: false));

        Assert.Equal(Action with { Step = 4, Cursor = "cursor-4" }, next.Action);
        Assert.Equal(Action.Partition, next.Action.Partition);
    }

    [Fact]
    public void OfResult_PagesLeft_OfACancelledJob_Stops() =>
        Assert.IsType<StepOutcome.Stopped>(StepOutcome.OfResult(Action, Result(more: true, cursor: "cursor-4"), jobCancelled: true));

    [Fact]
    public void OfResult_NoPageLeft_Succeeds_EvenWhenTheJobWasCancelledMeanwhile()
    {
        Assert.IsType<StepOutcome.Succeeded>(StepOutcome.OfResult(Action, Result(more: false, cursor: null), jobCancelled: false));
        Assert.IsType<StepOutcome.Succeeded>(StepOutcome.OfResult(Action, Result(more: false, cursor: null), jobCancelled: true));
    }

    [Fact]
    public void Names_AreTheTraceTagsOfEachOutcome()
    {
        StepOutcome[] outcomes =
        [
            new StepOutcome.Misplaced(1), new StepOutcome.Duplicate(), new StepOutcome.Cancelled(), new StepOutcome.Failed("e", "permanent"),
            new StepOutcome.Stopped(), new StepOutcome.Next(Action), new StepOutcome.Succeeded(),
        ];

        Assert.Equal(["misplaced", "duplicate", "cancelled", "failed", "stopped", "next", "succeeded"], outcomes.Select(o => o.Name));
    }

    private static StepResult Result(bool more, string? cursor) => new(Pages: 5, Orders: 40, cursor, more, Throttles: 0, Calls: 5, [], [], Task.CompletedTask);
}
