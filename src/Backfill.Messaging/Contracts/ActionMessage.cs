using System.Text.Json.Serialization;
using Backfill.Core.Data;

namespace Backfill.Messaging.Contracts;

/// <summary>
/// One step of a slice on the action topic (value, JSON v2), on its lane's partition, so one group member owns a lane
/// at a time; the next step goes to the same partition. Keyed by <see cref="Key"/> for people reading the topic.
/// Version 2 added what the slice pulls (<see cref="Data"/>, <see cref="TimeField"/>) and phases in the cursor; a version
/// 1 action reads as orders by the platform's time field, its cursor the list's. A build that reads only version 1 refuses
/// a version 2 action (dead-lettered, said) instead of pulling less than the job asked for.
/// </summary>
public sealed record ActionMessage : IMessage
{
    public const int CurrentVersion = 2;

    /// <summary>
    /// The largest action a worker takes: one is a few hundred bytes (ids, a range, a cursor), so anything near this is
    /// not a step of ours, and refusing it before decoding keeps a padded or foreign message from running as one (R6).
    /// </summary>
    public const int MaxEncodedBytes = 64 * 1024;

    public static int Version => CurrentVersion;

    public static int? OldestVersion => 1;

    [JsonRequired] public int V { get; init; } = CurrentVersion;

    [JsonRequired] public string Job { get; init; } = "";

    [JsonRequired] public string Slice { get; init; } = "";

    [JsonRequired] public int Attempt { get; init; }

    [JsonRequired] public int Step { get; init; }

    [JsonRequired] public string Platform { get; init; } = "";

    [JsonRequired] public string Shop { get; init; } = "";

    [JsonRequired] public DateTimeOffset From { get; init; }

    [JsonRequired] public DateTimeOffset To { get; init; }

    /// <summary>Where this step starts (<see cref="SliceCursor"/>, encoded); null for the first page of the slice.</summary>
    public string? Cursor { get; init; }

    /// <summary>What the slice pulls; at least one dataset.</summary>
    public Datasets Data { get; init; } = DatasetNames.Default;

    /// <summary>The order time the slice's range is read by (<see cref="TimeFields"/>); null: the platform's configured one.</summary>
    public string? TimeField { get; init; }

    /// <summary>The job's priority (<c>high</c>, <c>normal</c>, <c>low</c>): its calls' weight in the lane's fair order. Null (older actions): normal.</summary>
    public string? Priority { get; init; }

    /// <summary>The budget lane the step's calls go through, 0 ≤ Lane &lt; <see cref="Lanes"/>.</summary>
    [JsonRequired] public int Lane { get; init; }

    /// <summary>How many lanes the scheduler split the platform's budget into.</summary>
    [JsonRequired] public int Lanes { get; init; }

    /// <summary>
    /// The action-topic partition the scheduler put the slice on; every later step stays there. A copy read from
    /// another partition is not the slice's own chain (a duplicate that another member would run in full alongside
    /// it), so workers drop it (R5). Null in actions written before this member existed.
    /// </summary>
    public int? Partition { get; init; }

    [JsonIgnore]
    public string Key => $"{Platform}/{Lane}";

    /// <summary>Deterministic: the same step of the same attempt always has the same id (R5).</summary>
    [JsonIgnore]
    public string Id => $"{Slice}#{Attempt}.{Step}";

    public string? Problem() =>
        string.IsNullOrWhiteSpace(Job) || string.IsNullOrWhiteSpace(Slice) || string.IsNullOrWhiteSpace(Platform) || string.IsNullOrWhiteSpace(Shop) ? "job, slice, platform and shop are required"
        : Attempt < 1 || Step < 0 ? $"attempt {Attempt} / step {Step} out of range"
        : From >= To ? $"empty or reversed range {From:O} – {To:O}"
        : Lanes < 1 || Lane < 0 || Lane >= Lanes ? $"lane {Lane} of {Lanes} out of range"
        : Partition < 0 ? $"partition {Partition} out of range"
        : Data == Datasets.None || (Data & ~(Datasets.Orders | Datasets.Finance | Datasets.Returns)) != 0 ? $"data '{Data}' is not a set of datasets"
        : TimeField is not null && TimeFields.Problem(TimeField) is { } field ? field
        : CursorProblem();

    private string? CursorProblem()
    {
        try
        {
            SliceCursor.Parse(Cursor, Data);
            return null;
        }
        catch (FormatException e)
        {
            return e.Message;
        }
    }
}
