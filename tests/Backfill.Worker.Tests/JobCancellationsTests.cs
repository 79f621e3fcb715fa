namespace Backfill.Worker.Tests;

public sealed class JobCancellationsTests
{
    [Fact]
    public void Cancel_StopsTheStepsOfThatJobOnly()
    {
        var cancellations = new JobCancellations();
        using var first = cancellations.Watch("a");
        using var second = cancellations.Watch("a");
        using var other = cancellations.Watch("b");

        Assert.True(cancellations.Cancel("a"));

        Assert.True(first.Token.IsCancellationRequested);
        Assert.True(second.Token.IsCancellationRequested);
        Assert.False(other.Token.IsCancellationRequested);
        Assert.True(cancellations.IsCancelled("a"));
        Assert.False(cancellations.IsCancelled("b"));
    }

    [Fact]
    public void Watch_AfterTheCancel_IsCancelledAtOnce()
    {
        var cancellations = new JobCancellations();
        cancellations.Cancel("a");

        using var lease = cancellations.Watch("a");

        Assert.True(lease.Token.IsCancellationRequested);
    }

    [Fact]
    public void Cancel_Twice_IsNewsOnlyOnce()
    {
        var cancellations = new JobCancellations();

        Assert.True(cancellations.Cancel("a"));
        Assert.False(cancellations.Cancel("a"));
    }

    [Fact]
    public void Cancel_AfterEveryStepOfTheJobEnded_StillHoldsForItsNextSteps()
    {
        var cancellations = new JobCancellations();
        var ended = cancellations.Watch("a");
        var token = ended.Token;
        ended.Dispose();
        ended.Dispose();

        cancellations.Cancel("a");

        using var next = cancellations.Watch("a");
        Assert.True(next.Token.IsCancellationRequested);
        Assert.False(token.IsCancellationRequested);
    }

    [Fact]
    public async Task Ready_CompletesOnceMarked()
    {
        var cancellations = new JobCancellations();
        Assert.False(cancellations.Ready.IsCompleted);

        cancellations.MarkReady();

        await cancellations.Ready.WaitAsync(TimeSpan.FromSeconds(1));
    }
}
