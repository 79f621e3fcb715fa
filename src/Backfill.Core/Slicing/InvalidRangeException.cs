namespace Backfill.Core.Slicing;

/// <summary>A requested date range that cannot be sliced; the message says why in operator terms.</summary>
public sealed class InvalidRangeException(string message) : ArgumentException(message);
