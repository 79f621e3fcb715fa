using System.Text.Json;
using System.Text.Json.Serialization;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Scheduling;

namespace Backfill.Hosting;

/// <summary>What an in-process run should do: the job, and where known what the platform holds.</summary>
/// <param name="Expected">Records of a dataset the platform holds for a shop in <c>[from, to)</c>, when known (the simulator knows).</param>
public sealed record RunRequest(BackfillRequest Job, Func<string, DateTimeOffset, DateTimeOffset, Datasets, long>? Expected = null);

/// <summary>A look at a running job, for progress displays.</summary>
public sealed record RunSnapshot(string Job, JobState State, SliceCounts Slices, long OrdersEmitted, long OrdersSaved, long Calls, long Throttled, TimeSpan Elapsed);

/// <summary>A slice that failed, with its error.</summary>
public sealed record FailedSlice(string Slice, string Error);

/// <summary>The end of a run; <see cref="ToJson"/> is the contract of <c>--json</c>.</summary>
/// <param name="OrdersAllSaved">The sink saved every order the job emitted (<see cref="SinkProgress"/>) before the run ended.</param>
public sealed record RunSummary(
    string Job,
    JobState State,
    SliceCounts Slices,
    long OrdersUnique,
    long OrdersEmitted,
    bool OrdersAllSaved,
    long? OrdersExpected,
    long DuplicatesAbsorbed,
    long Calls,
    long Throttled,
    long CommitFailures,
    long DeadLettered,
    TimeSpan Elapsed,
    IReadOnlyList<FailedSlice> Failures)
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Records gone from the data topics before the sink read them, within the job's span (<see cref="SinkState.Lost"/>).</summary>
    public long RecordsLost { get; init; }

    /// <summary>What the job pulled.</summary>
    public Datasets Data { get; init; } = DatasetNames.Default;

    /// <summary>Records the sink holds that the job delivered, per dataset name (orders: <see cref="OrdersUnique"/>).</summary>
    public IReadOnlyDictionary<string, long> Records { get; init; } = new Dictionary<string, long>();

    /// <summary>Records the platform holds per dataset name, when known (orders: <see cref="OrdersExpected"/>).</summary>
    public IReadOnlyDictionary<string, long>? RecordsExpected { get; init; }

    /// <summary>Every dataset's records the sink holds equal what the platform holds, where that is known.</summary>
    public bool AllRecords => RecordsExpected is null || RecordsExpected.All(e => Records.GetValueOrDefault(e.Key) == e.Value);

    /// <summary>The job succeeded and the sink saved every order it emitted.</summary>
    public bool Succeeded => State == JobState.Succeeded && Slices.Succeeded == Slices.Total && OrdersAllSaved;

    public string ToJson() => JsonSerializer.Serialize(
        new
        {
            job = Job,
            state = State.ToString().ToLowerInvariant(),
            slices = new { total = Slices.Total, succeeded = Slices.Succeeded, failed = Slices.Failed },
            data = DatasetNames.Names(Data),
            orders = new { unique = OrdersUnique, emitted = OrdersEmitted, allSaved = OrdersAllSaved, lost = RecordsLost, expected = OrdersExpected, duplicatesAbsorbed = DuplicatesAbsorbed },
            records = Records,
            recordsExpected = RecordsExpected,
            platform = new { calls = Calls, throttled = Throttled },
            kafka = new { commitFailures = CommitFailures, deadLettered = DeadLettered },
            failures = Failures.Count == 0 ? null : Failures.Select(f => new { slice = f.Slice, error = f.Error }),
            elapsedSeconds = Math.Round(Elapsed.TotalSeconds, 2),
        },
        Json);
}
