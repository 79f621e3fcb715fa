using Backfill.Core.Data;

namespace Backfill.Platforms;

/// <summary>
/// Which page an adapter reads: a page of a phase (<see cref="SliceCursor"/>) of a shop's slice <c>[From, To)</c>, what the
/// slice pulls and the time field its range is read by. The range is never empty and the time field is one of
/// <see cref="TimeFields.All"/>: the product checks both before it asks.
/// </summary>
/// <param name="Shop">The shop as configured: the platform's shop id (Shopee) or the operator's name of the seller (Lazada).</param>
/// <param name="Cursor">The phase, and the adapter's own cursor within it (null: its first page).</param>
public sealed record PageQuery(string Shop, DateTimeOffset From, DateTimeOffset To, SliceCursor Cursor, Datasets Data, string TimeField);
