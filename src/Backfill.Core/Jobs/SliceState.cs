namespace Backfill.Core.Jobs;

/// <summary>Where a slice is: Pending → Released → Running → Succeeded | Failed | Cancelled; Failed → Pending on retry.</summary>
public enum SliceState
{
    /// <summary>In the state store only; not in Kafka (R1).</summary>
    Pending,

    /// <summary>Its first step is on the action topic.</summary>
    Released,

    /// <summary>A worker has started a step.</summary>
    Running,

    Succeeded,
    Failed,
    Cancelled,
}
