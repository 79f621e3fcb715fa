using System.Text.Json.Serialization;

namespace Backfill.Messaging.Contracts;

/// <summary>What a worker reports to the scheduler (progress topic, keyed by job id, JSON v1).</summary>
public sealed record ProgressMessage : IMessage
{
    public const int CurrentVersion = 1;

    public static int Version => CurrentVersion;

    [JsonRequired] public int V { get; init; } = CurrentVersion;

    [JsonRequired] public ProgressKind Kind { get; init; }

    [JsonRequired] public string Job { get; init; } = "";

    [JsonRequired] public string Slice { get; init; } = "";

    [JsonRequired] public int Attempt { get; init; }

    [JsonRequired] public int Step { get; init; }

    /// <summary>Pages fetched in this step.</summary>
    public int Pages { get; init; }

    /// <summary>Orders emitted in this step.</summary>
    public int Orders { get; init; }

    /// <summary>Platform calls made in this step (answered or throttled); 0 from workers that did not count them.</summary>
    public int Calls { get; init; }

    /// <summary>
    /// Of <see cref="Calls"/>, those made for each dataset, by name (<c>orders</c>: list and detail calls, <c>finance</c>:
    /// escrow calls, <c>returns</c>: return list calls); null from workers that did not split them (all orders). A list
    /// call of a slice that pulls finance and not orders counts as finance.
    /// </summary>
    public Dictionary<string, int>? CallsByData { get; init; }

    /// <summary>Records emitted in this step for each dataset, by name; null from workers that emitted orders only (<see cref="Orders"/>).</summary>
    public Dictionary<string, int>? RecordsByData { get; init; }

    /// <summary>Where the next step starts, when <see cref="More"/>.</summary>
    public string? Cursor { get; init; }

    public bool More { get; init; }

    /// <summary>Why the slice failed (never a secret).</summary>
    public string? Error { get; init; }

    /// <summary>
    /// The kind of the error that failed the slice: <c>permanent</c>, <c>transient</c>, <c>throttle</c>, <c>quota</c> or
    /// <c>token-expired</c>; null from workers that did not say (never retried by themselves).
    /// </summary>
    public string? Failure { get; init; }

    public string Worker { get; init; } = "";

    /// <summary>The worker process that sent this; <see cref="CommitFailures"/> and <see cref="Evictions"/> are its own.</summary>
    public string Process { get; init; } = "";

    /// <summary>Offset commits of the sending process that failed since it started (R3): shown by the scheduler, not only logged.</summary>
    public long CommitFailures { get; init; }

    /// <summary>Times a consumer of the sending process was evicted for not polling since it started (R3).</summary>
    public long Evictions { get; init; }

    [JsonRequired] public DateTimeOffset At { get; init; }

    /// <summary>How long the step took, to compare with <c>max.poll.interval.ms</c> (R3).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Throttle answers the step met.</summary>
    public int Throttles { get; init; }

    /// <summary>The step's lane and its rate in calls per second at the end of the step (throttles lower it).</summary>
    public int Lane { get; init; }

    public double LaneRate { get; init; }

    /// <summary>The lane's calls' latency, start to answer, as its owner measures it; zero when unknown.</summary>
    public TimeSpan LaneLatency { get; init; }

    public static ProgressMessage For(ActionMessage action, ProgressKind kind, string worker, DateTimeOffset at) => new()
    {
        Kind = kind,
        Job = action.Job,
        Slice = action.Slice,
        Attempt = action.Attempt,
        Step = action.Step,
        Lane = action.Lane,
        Worker = worker,
        At = at,
    };
}
