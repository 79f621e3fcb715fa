namespace Backfill.Messaging.Contracts;

public enum ProgressKind
{
    StepStarted,
    StepDone,
    SliceSucceeded,
    SliceFailed,
}
