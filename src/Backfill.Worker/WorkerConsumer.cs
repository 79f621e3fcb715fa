using Backfill.Messaging.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Backfill.Worker;

/// <summary>
/// One member of the worker group on its own thread. It hands a message to <see cref="ActionHandler"/>, pauses its
/// partitions and goes on polling while the step runs, so Kafka never sees a silent member however long a step
/// takes (R3). One step at a time; the offset is committed (checked) only once the message reached a decision.
/// </summary>
internal sealed partial class WorkerConsumer(
    string name,
    KafkaClients clients,
    ActionHandler handler,
    DeadLetters deadLetters,
    KafkaCounters counters,
    WorkerOptions options,
    TimeProvider time,
    ILogger<WorkerConsumer> logger)
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan BusyPoll = TimeSpan.FromMilliseconds(20);
    private InFlight? _inFlight;

    // Partitions stay paused from the start of a step until this member is idle again, however the step ended
    // (finished here, or handed over in a rebalance callback).
    private bool _paused;

    public string Name => name;

    public void Run(CancellationToken stop)
    {
        var topics = clients.Connection.Topics;
        using var consumer = clients.ConsumerBuilder(topics.WorkerGroup, name)
            .SetPartitionsAssignedHandler((_, assigned) => Log.Assigned(logger, name, string.Join(",", assigned.Select(p => p.Partition.Value))))
            .SetPartitionsRevokedHandler((c, revoked) => Release(c, revoked.Select(p => p.TopicPartition), commit: true))
            .SetPartitionsLostHandler((c, lost) => Release(c, lost.Select(p => p.TopicPartition), commit: false))
            .Build();
        consumer.Subscribe(topics.Actions);
        Log.Started(logger, name, topics.Actions);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    PollOnce(consumer, stop);
                }
                catch (KafkaException e)
                {
                    // A client error must not end this member silently: say it, wait a little, carry on.
                    Log.LoopError(logger, name, e.Error.Code, e.Error.Reason);
                    stop.WaitHandle.WaitOne(TimeSpan.FromMilliseconds(200));
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            // An unfinished step is not committed: whoever gets the partition redoes at most that one step.
            WaitQuietly(_inFlight?.Work);
            consumer.Close();
            Log.Stopped(logger, name);
        }
    }

    private void PollOnce(IConsumer<string, byte[]> consumer, CancellationToken stop)
    {
        if (_inFlight is null)
        {
            if (_paused)
            {
                consumer.Resume(consumer.Assignment);
                _paused = false;
            }

            var consumed = consumer.Consume(IdlePoll);
            if (consumed is { IsPartitionEOF: false })
            {
                consumer.Pause(consumer.Assignment);
                _paused = true;
                _inFlight = new InFlight(consumed, handler.HandleAsync(consumed, name, stop), Failures: 0);
            }

            return;
        }

        if (((IAsyncResult)_inFlight.Work).AsyncWaitHandle.WaitOne(BusyPoll))
        {
            Finish(consumer, stop);
        }
        else
        {
            KeepPolling(consumer);
        }
    }

    /// <summary>Services the group while a step runs. A message from a partition assigned meanwhile is put back and its partition paused.</summary>
    private static void KeepPolling(IConsumer<string, byte[]> consumer)
    {
        var early = consumer.Consume(TimeSpan.Zero);
        if (early is { IsPartitionEOF: false })
        {
            consumer.Pause([early.TopicPartition]);
            consumer.Seek(early.TopicPartitionOffset);
        }
    }

    private void Finish(IConsumer<string, byte[]> consumer, CancellationToken stop)
    {
        var (consumed, work, failures) = _inFlight!;
        if (work.IsCompletedSuccessfully)
        {
            consumer.Commit([consumed.TopicPartitionOffset], counters, logger);
            _inFlight = null;
            return;
        }

        if (stop.IsCancellationRequested)
        {
            return;
        }

        // Kafka (not the platform) failed: try the same message again after a back-off, then park it (R6).
        var error = work.Exception?.GetBaseException().Message ?? "cancelled";
        var attempt = failures + 1;
        Log.InfrastructureFailure(logger, name, consumed.TopicPartitionOffset.ToString(), attempt, error);
        var backoff = TimeSpan.FromTicks(Math.Min(options.InfrastructureBackoff.Ticks << Math.Min(failures, 5), TimeSpan.FromSeconds(30).Ticks));
        _inFlight = new InFlight(consumed, RetryAsync(consumed, attempt, backoff, error, stop), attempt);
    }

    private async Task RetryAsync(ConsumeResult<string, byte[]> consumed, int attempt, TimeSpan backoff, string error, CancellationToken stop)
    {
        await Task.Delay(backoff, time, stop);
        if (attempt > options.InfrastructureRetries)
        {
            await deadLetters.ParkAsync(consumed, "infrastructure", $"gave up after {attempt} attempts: {error}", stop);
            return;
        }

        await handler.HandleAsync(consumed, name, stop);
    }

    /// <summary>
    /// Partitions are leaving this member: the step in flight on one of them finishes first (it is bounded) and is
    /// committed if it succeeded, so the next owner neither redoes it nor overlaps with it.
    /// </summary>
    private void Release(IConsumer<string, byte[]> consumer, IEnumerable<TopicPartition> leaving, bool commit)
    {
        if (_inFlight is not { } inFlight || !leaving.Contains(inFlight.Consumed.TopicPartition))
        {
            return;
        }

        WaitQuietly(inFlight.Work);
        if (commit && inFlight.Work.IsCompletedSuccessfully)
        {
            consumer.Commit([inFlight.Consumed.TopicPartitionOffset], counters, logger);
        }

        _inFlight = null;
    }

    private static void WaitQuietly(Task? work)
    {
        try
        {
            work?.Wait();
        }
        catch (AggregateException)
        {
        }
    }

    private sealed record InFlight(ConsumeResult<string, byte[]> Consumed, Task Work, int Failures);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Worker {Worker} consuming {Topic}")]
        public static partial void Started(ILogger logger, string worker, string topic);

        [LoggerMessage(2, LogLevel.Information, "Worker {Worker} stopped")]
        public static partial void Stopped(ILogger logger, string worker);

        [LoggerMessage(5, LogLevel.Error, "Worker {Worker}: Kafka client error {Code} {Reason}; continuing")]
        public static partial void LoopError(ILogger logger, string worker, ErrorCode code, string reason);

        [LoggerMessage(4, LogLevel.Information, "Worker {Worker} assigned partitions [{Partitions}]")]
        public static partial void Assigned(ILogger logger, string worker, string partitions);

        [LoggerMessage(3, LogLevel.Error, "Worker {Worker}: message {Position} failed (attempt {Attempt}) on infrastructure: {Error}; retrying after back-off")]
        public static partial void InfrastructureFailure(ILogger logger, string worker, string position, int attempt, string error);
    }
}
