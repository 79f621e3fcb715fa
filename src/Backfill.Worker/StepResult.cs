namespace Backfill.Worker;

/// <summary>What one step did: pages fetched, orders emitted, where the next step starts, platform calls made.</summary>
internal sealed record StepResult(int Pages, int Orders, string? Cursor, bool More, int Throttles, int Calls = 0);
