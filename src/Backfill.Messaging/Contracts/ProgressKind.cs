namespace Backfill.Messaging.Contracts;

public enum ProgressKind
{
    StepStarted,
    StepDone,
    SliceSucceeded,
    SliceFailed,

    /// <summary>The slice's job was cancelled: the step stopped before its next page and queued no next step.</summary>
    SliceCancelled,
}
