namespace Backfill.Storage;

/// <summary>What the order sink has done since the file was created.</summary>
/// <param name="Unique">Orders stored.</param>
/// <param name="Writes">Deliveries applied, including repeats.</param>
public sealed record SinkTotals(long Unique, long Writes)
{
    /// <summary>Deliveries of an order that was already stored (at-least-once redeliveries, redone steps).</summary>
    public long DuplicatesAbsorbed => Writes - Unique;
}
