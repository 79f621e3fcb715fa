using Backfill.Messaging.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Backfill.Worker;

/// <summary>
/// One member of the worker group on its own thread. Each of its partitions carries budget lanes and runs one step at
/// a time, so the member's partitions run side by side, each at its lanes' rate. A partition is paused from the moment
/// its step starts until the step reached a decision and its offset is committed (checked); the member goes on polling
/// meanwhile, so Kafka never sees a silent member however long a step takes (R3).
/// A partition given to this member is held for <see cref="Platforms.IOrderSources.HandOverHold"/> before its first step:
/// by then every call its previous owner made has left the platform's windows (docs/rate-budget.md).
/// </summary>
internal sealed partial class WorkerConsumer(
    string name,
    KafkaClients clients,
    ActionHandler handler,
    DeadLetters deadLetters,
    KafkaCounters counters,
    WorkerOptions options,
    TimeSpan handOverHold,
    TimeProvider time,
    ILogger<WorkerConsumer> logger)
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan BusyPoll = TimeSpan.FromMilliseconds(20);
    private readonly Dictionary<TopicPartition, InFlight> _steps = [];
    private readonly Dictionary<TopicPartition, long> _heldFrom = [];
    private readonly HashSet<TopicPartition> _paused = [];

    public string Name => name;

    public void Run(CancellationToken stop)
    {
        var topics = clients.Connection.Topics;
        using var consumer = clients.ConsumerBuilder(topics.WorkerGroup, name)
            .SetPartitionsAssignedHandler((_, assigned) => Assigned(assigned))
            .SetPartitionsRevokedHandler((c, revoked) => Release(c, revoked.Select(p => p.TopicPartition), lost: false))
            .SetPartitionsLostHandler((c, lost) => Release(c, lost.Select(p => p.TopicPartition), lost: true))
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
            // Steps end promptly once cancelled; an unfinished one is not committed, so whoever gets the partition redoes at most that step.
            foreach (var step in _steps.Values)
            {
                WaitQuietly(step.Work);
            }

            consumer.Close();
            Log.Stopped(logger, name);
        }
    }

    private void Assigned(IEnumerable<TopicPartition> assigned)
    {
        var list = assigned.ToList();
        if (list.Count == 0)
        {
            return;
        }

        var now = time.GetTimestamp();
        foreach (var partition in list)
        {
            _heldFrom[partition] = now;
        }

        Log.Assigned(logger, name, string.Join(",", list.Select(p => p.Partition.Value)), (long)handOverHold.TotalMilliseconds);
    }

    private void PollOnce(IConsumer<string, byte[]> consumer, CancellationToken stop)
    {
        foreach (var (done, step) in _steps.Where(s => s.Value.Work.IsCompleted).ToList())
        {
            Finish(consumer, done, step, stop);
        }

        ResumeReady(consumer);
        var consumed = consumer.Consume(_steps.Count > 0 || _paused.Count > 0 ? BusyPoll : IdlePoll);
        if (consumed is null || consumed.IsPartitionEOF)
        {
            return;
        }

        var partition = consumed.TopicPartition;
        consumer.Pause([partition]);
        _paused.Add(partition);
        if (_steps.ContainsKey(partition) || IsHeld(partition))
        {
            // Fetched before the pause took hold: put it back; it is read again once the partition is ready.
            consumer.Seek(consumed.TopicPartitionOffset);
            return;
        }

        _steps[partition] = Start(consumed, failures: 0, work: null, stop);
    }

    private InFlight Start(ConsumeResult<string, byte[]> consumed, int failures, Func<CancellationToken, Task>? work, CancellationToken stop)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        return new InFlight(consumed, (work ?? (token => handler.HandleAsync(consumed, name, token)))(cancel.Token), failures, cancel);
    }

    private void ResumeReady(IConsumer<string, byte[]> consumer)
    {
        if (_paused.Count == 0)
        {
            return;
        }

        var ready = _paused.Where(p => !_steps.ContainsKey(p) && !IsHeld(p)).ToList();
        if (ready.Count == 0)
        {
            return;
        }

        var assignment = consumer.Assignment.ToHashSet();
        consumer.Resume(ready.Where(assignment.Contains));
        _paused.ExceptWith(ready);
    }

    private bool IsHeld(TopicPartition partition)
    {
        if (!_heldFrom.TryGetValue(partition, out var from))
        {
            return false;
        }

        if (time.GetElapsedTime(from) < handOverHold)
        {
            return true;
        }

        _heldFrom.Remove(partition);
        return false;
    }

    private void Finish(IConsumer<string, byte[]> consumer, TopicPartition partition, InFlight step, CancellationToken stop)
    {
        if (step.Work.IsCompletedSuccessfully)
        {
            consumer.Commit([step.Consumed.TopicPartitionOffset], counters, logger);
            End(partition);
            return;
        }

        if (stop.IsCancellationRequested)
        {
            return;
        }

        // Kafka (not the platform) failed: try the same message again after a back-off, then park it (R6).
        var consumed = step.Consumed;
        var error = step.Work.Exception?.GetBaseException().Message ?? "cancelled";
        var attempt = step.Failures + 1;
        Log.InfrastructureFailure(logger, name, consumed.TopicPartitionOffset.ToString(), attempt, error);
        var backoff = TimeSpan.FromTicks(Math.Min(options.InfrastructureBackoff.Ticks << Math.Min(step.Failures, 5), TimeSpan.FromSeconds(30).Ticks));
        step.Cancel.Dispose();
        _steps[partition] = Start(consumed, attempt, token => RetryAsync(consumed, attempt, backoff, error, token), stop);
    }

    private async Task RetryAsync(ConsumeResult<string, byte[]> consumed, int attempt, TimeSpan backoff, string error, CancellationToken cancellationToken)
    {
        await Task.Delay(backoff, time, cancellationToken);
        if (attempt > options.InfrastructureRetries)
        {
            await deadLetters.ParkAsync(consumed, "infrastructure", $"gave up after {attempt} attempts: {error}", cancellationToken);
            return;
        }

        await handler.HandleAsync(consumed, name, cancellationToken);
    }

    /// <summary>
    /// Partitions are leaving this member. Revoked: the step in flight on one finishes first (it is bounded) and is
    /// committed if it succeeded, so the next owner neither redoes it nor calls alongside it. Lost: another member may
    /// own the partition already, so the step is cancelled at once and not committed.
    /// </summary>
    private void Release(IConsumer<string, byte[]> consumer, IEnumerable<TopicPartition> leaving, bool lost)
    {
        var partitions = leaving.ToList();
        var steps = partitions.Where(_steps.ContainsKey).Select(p => (Partition: p, Step: _steps[p])).ToList();
        if (lost)
        {
            steps.ForEach(s => s.Step.Cancel.Cancel());
        }

        foreach (var (partition, step) in steps)
        {
            WaitQuietly(step.Work);
            if (!lost && step.Work.IsCompletedSuccessfully)
            {
                consumer.Commit([step.Consumed.TopicPartitionOffset], counters, logger);
            }

            End(partition);
        }

        foreach (var partition in partitions)
        {
            _paused.Remove(partition);
            _heldFrom.Remove(partition);
        }

        Log.Released(logger, name, string.Join(",", partitions.Select(p => p.Partition.Value)), lost ? "lost" : "revoked", steps.Count);
    }

    private void End(TopicPartition partition)
    {
        if (_steps.Remove(partition, out var step))
        {
            step.Cancel.Dispose();
        }
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

    private sealed record InFlight(ConsumeResult<string, byte[]> Consumed, Task Work, int Failures, CancellationTokenSource Cancel);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Worker {Worker} consuming {Topic}")]
        public static partial void Started(ILogger logger, string worker, string topic);

        [LoggerMessage(2, LogLevel.Information, "Worker {Worker} stopped")]
        public static partial void Stopped(ILogger logger, string worker);

        [LoggerMessage(5, LogLevel.Error, "Worker {Worker}: Kafka client error {Code} {Reason}; continuing")]
        public static partial void LoopError(ILogger logger, string worker, ErrorCode code, string reason);

        [LoggerMessage(4, LogLevel.Information, "Worker {Worker} assigned partitions [{Partitions}]; their first calls wait {HoldMs} ms for the previous owner's calls to leave the platform's window")]
        public static partial void Assigned(ILogger logger, string worker, string partitions, long holdMs);

        [LoggerMessage(6, LogLevel.Information, "Worker {Worker} gave up partitions [{Partitions}] ({How}) after {Steps} step(s) in flight ended")]
        public static partial void Released(ILogger logger, string worker, string partitions, string how, int steps);

        [LoggerMessage(3, LogLevel.Error, "Worker {Worker}: message {Position} failed (attempt {Attempt}) on infrastructure: {Error}; retrying after back-off")]
        public static partial void InfrastructureFailure(ILogger logger, string worker, string position, int attempt, string error);
    }
}
