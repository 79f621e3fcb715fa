namespace Backfill.Storage;

/// <summary>
/// A job whose slices are being written (<see cref="JobStore.Create"/>): present from before its first slice until the
/// transaction that stores the job itself. One left behind by a crash names slices that belong to no job, to delete.
/// </summary>
internal sealed class PlanDocument
{
    /// <summary>The job's id.</summary>
    public string Id { get; set; } = "";
}
