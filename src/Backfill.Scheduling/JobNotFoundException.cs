namespace Backfill.Scheduling;

/// <summary>No such job, or no such slice of it; the message names it.</summary>
public sealed class JobNotFoundException(string message) : KeyNotFoundException(message);
