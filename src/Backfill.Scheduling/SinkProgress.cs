using System.Collections.Concurrent;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Storage;
using Backfill.Storage.Records;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Scheduling;

/// <summary>
/// Whether a finished job's records are all saved by the sink, exactly (docs/decisions.md). A worker produces a step's
/// progress only once Kafka acknowledged every record of the step, so once a job's last progress is applied all its
/// records are on their datasets' topics, below their end offsets as read at any moment after that. The job's records
/// are saved when the sink reader (<see cref="SchedulerService.SinkReader"/>) has handled every partition of the three
/// topics up to such a reading (<see cref="JobRecord.RecordsTo"/>), and none of the records it found gone lay in the
/// job's span (<see cref="RecordSpan"/>). The reading is taken off the request path, once per finish (a forced re-run
/// finishes again and gets a new one), the first time the job is asked about after it finished, and kept with the job;
/// until it is taken, and while the sink is behind it, the records are still being saved.
/// </summary>
public sealed partial class SinkProgress(
    RecordTopicEnds recordEnds,
    JobStore jobs,
    RecordStore records,
    SchedulerService scheduler,
    TimeProvider time,
    ILogger<SinkProgress> logger) : BackgroundService
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<(string Job, DateTimeOffset FinishedAt), SinkState> _final = new();
    private readonly ConcurrentDictionary<(string Job, DateTimeOffset FinishedAt), byte> _wanted = new();
    private readonly SemaphoreSlim _signal = new(0);

    /// <summary>Where the sink is with <paramref name="job"/>'s records; never blocks.</summary>
    public SinkState Of(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!job.IsFinished || job.FinishedAt is not { } finished)
        {
            return SinkState.Saving;
        }

        var key = (job.Id, finished);
        if (_final.TryGetValue(key, out var known))
        {
            return known;
        }

        if (job.RecordsTo is not { } to || job.RecordsToAt != finished)
        {
            if (_wanted.TryAdd(key, 0))
            {
                _signal.Release();
            }

            return SinkState.Saving;
        }

        if (!scheduler.SinkReader.HasReached(to.ToDictionary(o => new TopicPartition(o.Topic, o.Partition), o => o.Offset)))
        {
            return SinkState.Saving;
        }

        // Read past the job's span, so every run of records gone from it was found and kept before: the answer is final.
        var lost = RecordSpan.Lost(records.Lost(), job.RecordsFrom, to);
        return _final[key] = lost > 0 ? new SinkState(false, lost) : SinkState.Complete;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await _signal.WaitAsync(stoppingToken);

                // Asked for before the reading starts, so each of these jobs had finished before it.
                var wanted = _wanted.Keys.ToList();
                if (wanted.Count == 0)
                {
                    continue;
                }

                try
                {
                    var ends = await recordEnds.ReadAsync(stoppingToken);
                    foreach (var (job, finished) in wanted)
                    {
                        jobs.Update(job, stored =>
                        {
                            if (stored.FinishedAt == finished)
                            {
                                stored.RecordsTo = ends;
                                stored.RecordsToAt = finished;
                            }
                        });
                        _wanted.TryRemove((job, finished), out _);
                    }
                }
                catch (KafkaException e)
                {
                    Log.EndsUnknown(logger, e.Error.Reason);
                    await Task.Delay(RetryAfter, time, stoppingToken);
                    _signal.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override void Dispose()
    {
        _signal.Dispose();
        base.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The end offsets of the data topics could not be read ({Reason}); finished jobs show their records as still being saved until they are")]
        public static partial void EndsUnknown(ILogger logger, string reason);
    }
}

/// <summary>Where the sink is with a finished job's records.</summary>
/// <param name="AllSaved">Every record the job emitted is saved.</param>
/// <param name="Lost">
/// Records that left a data topic before the sink read them, within the job's span: some of the job's records may be
/// missing, and only running it again brings them back. At most this many are the job's (the span holds other jobs' too).
/// </param>
public readonly record struct SinkState(bool AllSaved, long Lost)
{
    /// <summary>Still on their way to the sink, or the job is not finished.</summary>
    public static SinkState Saving => default;

    /// <summary>Every record saved.</summary>
    public static SinkState Complete => new(true, 0);
}
