namespace Backfill.Storage;

/// <summary>What <see cref="BackfillDatabase.Probe"/> writes: when the file last took a write for a health check.</summary>
internal sealed class ProbeDocument
{
    public string Id { get; set; } = "";

    public DateTime At { get; set; }
}
