using Backfill.Messaging.Contracts;
using Backfill.Platforms;

namespace Backfill.Worker;

/// <summary>
/// What a decoded action message becomes (R6), decided from facts the handler gathers in order: where the message was
/// read, then (once the slice's turn is taken) whether the step is done already or its job cancelled, then how its calls
/// ended. The handler carries the outcome out; <see cref="Name"/> is the step's trace tag. A message that does not decode
/// is parked before any of this.
/// </summary>
internal abstract record StepOutcome(string Name)
{
    /// <summary>
    /// A copy read from another partition than the slice's home is dropped: its chain runs on its home partition, perhaps
    /// in another member, and running the copy would redo the whole slice. An action without a home runs where it is read.
    /// </summary>
    public static Misplaced? Where(ActionMessage action, int partition) =>
        action.Partition is { } home && home != partition ? new Misplaced(home) : null;

    /// <summary>
    /// Before any call: a step the ledger has seen done is dropped whatever its job's state (its outcome was reported
    /// already), a step of a cancelled job reports its slice cancelled; null: the step runs.
    /// </summary>
    public static StepOutcome? BeforeCalls(bool done, bool jobCancelled) =>
        done ? new Duplicate()
        : jobCancelled ? new Cancelled()
        : null;

    /// <summary>
    /// A step whose platform calls failed fails its slice, with the kind of error the scheduler's automatic retries read;
    /// null for any other exception: that is the infrastructure's, and the message is retried.
    /// </summary>
    public static Failed? OfFailure(Exception e) => e switch
    {
        PlatformException { Kind: PlatformErrorKind.Transient } => new Failed(e.Message, "transient"),
        PlatformException { Kind: PlatformErrorKind.Throttle } => new Failed(e.Message, "throttle"),
        PlatformException { Kind: PlatformErrorKind.Quota } => new Failed(e.Message, "quota"),
        PlatformException { Kind: PlatformErrorKind.TokenExpired } => new Failed(e.Message, "token-expired"),
        PlatformException or UnknownPlatformException => new Failed(e.Message, "permanent"),
        _ => null,
    };

    /// <summary>
    /// A step that ran: the slice succeeded when no page is left (even if its job was cancelled meanwhile: the work is
    /// done); with pages left, a cancelled job stops the slice with what the step did, else the next step takes the cursor
    /// on the same partition.
    /// </summary>
    public static StepOutcome OfResult(ActionMessage action, StepResult result, bool jobCancelled) =>
        !result.More ? new Succeeded()
        : jobCancelled ? new Stopped()
        : new Next(action with { Step = action.Step + 1, Cursor = result.Cursor });

    /// <param name="Home">The partition the slice's steps live on.</param>
    internal sealed record Misplaced(int Home) : StepOutcome("misplaced");

    internal sealed record Duplicate() : StepOutcome("duplicate");

    /// <summary>The job was cancelled before the step's first call: the slice is reported cancelled, nothing is called.</summary>
    internal sealed record Cancelled() : StepOutcome("cancelled");

    /// <summary>The slice is reported failed and the message parked on the dead-letter topic with <paramref name="Error"/>.</summary>
    /// <param name="Failure">The kind of error: transient, throttle, quota, token-expired or permanent.</param>
    internal sealed record Failed(string Error, string Failure) : StepOutcome("failed");

    /// <summary>The job was cancelled while the step ran: the slice is reported cancelled with what the step did, no next step.</summary>
    internal sealed record Stopped() : StepOutcome("stopped");

    /// <summary>The step is reported done and <paramref name="Action"/>, the slice's next step, produced.</summary>
    internal sealed record Next(ActionMessage Action) : StepOutcome("next");

    /// <summary>The step is reported done and the slice succeeded.</summary>
    internal sealed record Succeeded() : StepOutcome("succeeded");
}
