namespace Backfill.Core.Slicing;

/// <summary>
/// The calendar days <c>[FirstDay, EndDay)</c> of one slice and the instants they span in the job's time zone.
/// A day is not always 24 hours: across a DST change it is 23 or 25.
/// </summary>
public sealed record SliceWindow(DateOnly FirstDay, DateOnly EndDay, DateTimeOffset From, DateTimeOffset To);
