namespace Backfill.Core.Jobs;

/// <summary>What an operator can ask of an existing job.</summary>
public enum JobCommand
{
    Pause,
    Resume,
    Cancel,
    Retry,

    /// <summary>A new release cadence or batch size, live.</summary>
    ChangeCadence,
}
