namespace Backfill.Worker;

/// <summary>
/// What one step did: pages fetched (across phases), records emitted, where the next step starts (an encoded
/// <see cref="Core.Data.SliceCursor"/>), platform calls made; and <see cref="Delivered"/>, done once Kafka has acknowledged
/// every record the step produced.
/// </summary>
/// <param name="Orders">Order records emitted.</param>
/// <param name="More">False only when the slice is complete: every phase has run out of pages.</param>
/// <param name="Calls">Every call, throttled ones included.</param>
/// <param name="CallsByData">The answered calls by dataset name.</param>
/// <param name="RecordsByData">Records emitted by dataset name.</param>
internal sealed record StepResult(
    int Pages,
    int Orders,
    string? Cursor,
    bool More,
    int Throttles,
    int Calls,
    Dictionary<string, int> CallsByData,
    Dictionary<string, int> RecordsByData,
    Task Delivered);
