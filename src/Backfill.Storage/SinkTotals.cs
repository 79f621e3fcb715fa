namespace Backfill.Storage;

/// <summary>What the sink has done with one dataset since the file was created.</summary>
/// <param name="Unique">Records stored.</param>
/// <param name="Writes">Deliveries applied, including repeats.</param>
public sealed record SinkTotals(long Unique, long Writes)
{
    /// <summary>Deliveries of a record that was already stored (at-least-once redeliveries, redone steps).</summary>
    public long DuplicatesAbsorbed => Writes - Unique;
}
