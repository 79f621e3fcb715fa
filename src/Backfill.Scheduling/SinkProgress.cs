using System.Collections.Concurrent;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Messaging.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Scheduling;

/// <summary>
/// Whether a finished job's records are all saved by the sink, exactly (docs/decisions.md). A worker produces a step's
/// progress only once Kafka acknowledged every record of the step, so once a job's last progress is applied all its
/// records are on their datasets' topics, below their end offsets as read at any moment after that. The job's records
/// are saved when the sink reader (<see cref="SchedulerService.SinkReader"/>) has handled every partition of the three
/// topics up to such a reading. The reading
/// is taken off the request path, once per finish (a forced re-run finishes again and gets a new one), the first time
/// the job is asked about after it finished; until it is taken, and while the sink is behind it, the answer is no.
/// </summary>
public sealed partial class SinkProgress(KafkaClients clients, SchedulerService scheduler, TimeProvider time, ILogger<SinkProgress> logger) : BackgroundService
{
    private static readonly IReadOnlyDictionary<TopicPartition, long> Passed = new Dictionary<TopicPartition, long>();
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<(string Job, DateTimeOffset FinishedAt), IReadOnlyDictionary<TopicPartition, long>> _ends = new();
    private readonly ConcurrentDictionary<(string Job, DateTimeOffset FinishedAt), byte> _wanted = new();
    private readonly SemaphoreSlim _signal = new(0);

    /// <summary>True once <paramref name="job"/> is finished and the sink has saved every record it emitted; never blocks.</summary>
    public bool AllSaved(JobRecord job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!job.IsFinished || job.FinishedAt is not { } finished)
        {
            return false;
        }

        var key = (job.Id, finished);
        if (_ends.TryGetValue(key, out var ends))
        {
            if (ends.Count > 0 && !scheduler.SinkReader.HasReached(ends))
            {
                return false;
            }

            _ends[key] = Passed;
            return true;
        }

        if (_wanted.TryAdd(key, 0))
        {
            _signal.Release();
        }

        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var topics = DatasetNames.All.Select(clients.Connection.Topics.Records).ToList();
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
                    var ends = await Task.Run(() => topics.SelectMany(topic => Watermarks.High(clients, topic)).ToDictionary(), stoppingToken);
                    foreach (var key in wanted)
                    {
                        _ends[key] = ends;
                        _wanted.TryRemove(key, out _);
                    }
                }
                catch (KafkaException e)
                {
                    Log.EndsUnknown(logger, string.Join(", ", topics), e.Error.Reason);
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
        [LoggerMessage(1, LogLevel.Warning, "The end offsets of {Topics} could not be read ({Reason}); finished jobs show their records as not all saved until they are")]
        public static partial void EndsUnknown(ILogger logger, string topics, string reason);
    }
}
