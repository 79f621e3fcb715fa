namespace Backfill.Worker;

/// <summary>
/// What one step did: pages fetched, orders emitted, where the next step starts, platform calls made; and
/// <see cref="Delivered"/>, done once Kafka has acknowledged every order the step produced.
/// </summary>
internal sealed record StepResult(int Pages, int Orders, string? Cursor, bool More, int Throttles, int Calls, Task Delivered);
