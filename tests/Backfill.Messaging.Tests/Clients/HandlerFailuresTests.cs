using Backfill.Core.Jobs;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Confluent.Kafka;

namespace Backfill.Messaging.Tests.Clients;

public sealed class HandlerFailuresTests
{
    private static readonly HandlerFailures Rule = new(4, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300));

    public static TheoryData<Exception> MessageFailures() =>
    [
        new InvalidTransitionException("slice s", SliceState.Pending, SliceState.Succeeded),
        new MalformedMessageException("not a valid ProgressMessage"),
        new InvalidOperationException("a document the store refuses"),
        new ArgumentException("bad value"),
        new NullReferenceException(),
    ];

    public static TheoryData<Exception> InfrastructureFailures() =>
    [
        new IOException("disk"),
        new TimeoutException(),
        new KafkaException(ErrorCode.Local_MsgTimedOut),
        new ObjectDisposedException("store"),
    ];

    [Theory]
    [MemberData(nameof(MessageFailures))]
    public void AFailureOfTheMessage_IsParkedAtOnce(Exception error) =>
        Assert.Equal(HandlerOutcome.Park, Rule.Decide(error, failures: 1));

    [Theory]
    [MemberData(nameof(InfrastructureFailures))]
    public void AnInfrastructureFailure_IsRetried_ThenTheReaderStops_NeverParked(Exception error)
    {
        Assert.Equal([HandlerOutcome.Retry, HandlerOutcome.Retry, HandlerOutcome.Retry, HandlerOutcome.Stop], Enumerable.Range(1, 4).Select(n => Rule.Decide(error, n)));
    }

    [Fact]
    public void Pauses_DoubleUpToTheLongest()
    {
        Assert.Equal([100, 200, 300, 300], Enumerable.Range(1, 4).Select(n => Rule.Pause(n).TotalMilliseconds));
        Assert.Equal(TimeSpan.FromSeconds(5), HandlerFailures.Default.Pause(60));
    }

    [Fact]
    public void Default_GivesUpAfterSecondsNotNever()
    {
        var total = Enumerable.Range(1, HandlerFailures.Default.MaxFailures - 1).Sum(n => HandlerFailures.Default.Pause(n).TotalSeconds);
        Assert.InRange(total, 3, 30);
        Assert.Equal(HandlerOutcome.Stop, HandlerFailures.Default.Decide(new IOException(), HandlerFailures.Default.MaxFailures));
    }
}
