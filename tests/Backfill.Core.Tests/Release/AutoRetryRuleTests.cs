using Backfill.Core.Jobs;
using Backfill.Core.Release;

namespace Backfill.Core.Tests.Release;

public sealed class AutoRetryRuleTests
{
    private static readonly DateTimeOffset FailedAt = new(2024, 6, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly AutoRetryRule Rule = new(3, TimeSpan.FromMinutes(10));

    private static SliceRecord Failed(string? failure, int retries = 0) =>
        new() { Id = "j/1/1", State = SliceState.Failed, Failure = failure, AutoRetries = retries, ProgressAt = FailedAt };

    [Theory]
    [InlineData("transient")]
    [InlineData("throttle")]
    [InlineData("quota")]
    public void DueAt_ErrorThatMayPass_AfterTheWait(string failure) =>
        Assert.Equal(FailedAt.AddMinutes(10), Rule.DueAt(Failed(failure)));

    [Theory]
    [InlineData("permanent")]
    [InlineData("token-expired")]
    [InlineData(null)]
    public void DueAt_PermanentOrUnknownError_Never(string? failure)
    {
        Assert.Null(Rule.DueAt(Failed(failure)));
        Assert.False(Rule.Awaits(Failed(failure)));
    }

    [Fact]
    public void Awaits_OnlyWhileAttemptsAreLeft()
    {
        Assert.True(Rule.Awaits(Failed("transient", retries: 2)));
        Assert.False(Rule.Awaits(Failed("transient", retries: 3)));
        Assert.False(new AutoRetryRule(0, TimeSpan.FromMinutes(1)).Awaits(Failed("transient")));
    }

    [Fact]
    public void Awaits_NotFailed_No()
    {
        var slice = Failed("transient");
        slice.State = SliceState.Pending;

        Assert.False(Rule.Awaits(slice));
    }
}
