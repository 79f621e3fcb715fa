using Backfill.Messaging.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Backfill.Worker;

/// <summary>
/// One member of the worker group on its own thread. Each of its partitions carries budget lanes and runs up to
/// <see cref="WorkerOptions.StepsPerPartition"/> steps side by side, so a lane always has a call waiting when its window
/// frees a place (the lane's window, not this loop, decides when calls start). A partition is paused while it is full,
/// and its offset is committed (checked) up to the last step before which every step succeeded; the member goes on
/// polling meanwhile, so Kafka never sees a silent member however long a step takes (R3).
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
    private readonly Dictionary<TopicPartition, PartitionSteps> _partitions = [];
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
            // Steps end promptly once cancelled; the leading finished ones are committed, unfinished ones are not, so
            // whoever gets the partition redoes at most those. Closing then revokes partitions that hold nothing more.
            foreach (var steps in _partitions.Values)
            {
                var running = steps.Running.ToList();
                WaitQuietly(running);
                running.Where(s => s.Work.IsCompletedSuccessfully).ToList().ForEach(s => s.Succeeded());
                Commit(consumer, steps, leaving: true);
                steps.Dispose();
            }

            _partitions.Clear();
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
        foreach (var open in _partitions.Values)
        {
            Finish(consumer, open, stop);
        }

        ResumeReady(consumer);
        var busy = _partitions.Values.Any(s => !s.IsEmpty) || _paused.Count > 0;
        var consumed = consumer.Consume(busy ? BusyPoll : IdlePoll);
        if (consumed is null || consumed.IsPartitionEOF)
        {
            return;
        }

        var partition = consumed.TopicPartition;
        var steps = Steps(partition);
        if (!steps.CanTake || IsHeld(partition))
        {
            // Fetched before the pause took hold: put it back; it is read again once the partition has room.
            Pause(consumer, partition);
            consumer.Seek(consumed.TopicPartitionOffset);
            return;
        }

        steps.Add(Start(consumed, failures: 0, Handle(consumed, steps), stop));
        if (!steps.CanTake)
        {
            Pause(consumer, partition);
        }
    }

    private PartitionSteps Steps(TopicPartition partition)
    {
        if (!_partitions.TryGetValue(partition, out var steps))
        {
            steps = new PartitionSteps(options.StepsPerPartition, time);
            _partitions[partition] = steps;
        }

        return steps;
    }

    private void Pause(IConsumer<string, byte[]> consumer, TopicPartition partition)
    {
        if (_paused.Add(partition))
        {
            consumer.Pause([partition]);
        }
    }

    private Func<CancellationToken, Task> Handle(ConsumeResult<string, byte[]> consumed, PartitionSteps steps) =>
        token => handler.HandleAsync(consumed, name, steps.Leaving, token);

    private static PartitionSteps.Step Start(ConsumeResult<string, byte[]> consumed, int failures, Func<CancellationToken, Task> work, CancellationToken stop)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        return new PartitionSteps.Step(consumed, work(cancel.Token), failures, cancel);
    }

    private void ResumeReady(IConsumer<string, byte[]> consumer)
    {
        if (_paused.Count == 0)
        {
            return;
        }

        var ready = _paused.Where(p => (!_partitions.TryGetValue(p, out var steps) || steps.CanTake) && !IsHeld(p)).ToList();
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

    private void Finish(IConsumer<string, byte[]> consumer, PartitionSteps steps, CancellationToken stop)
    {
        foreach (var step in steps.Ended())
        {
            if (step.Work.IsCompletedSuccessfully)
            {
                step.Succeeded();
                continue;
            }

            if (stop.IsCancellationRequested)
            {
                continue;
            }

            // Kafka (not the platform) failed: try the same message again after a back-off, then park it (R6).
            var consumed = step.Consumed;
            var error = step.Work.Exception?.GetBaseException().Message ?? "cancelled";
            var attempt = step.Failures + 1;
            Log.InfrastructureFailure(logger, name, consumed.TopicPartitionOffset.ToString(), attempt, error);
            var backoff = TimeSpan.FromTicks(Math.Min(options.InfrastructureBackoff.Ticks << Math.Min(step.Failures, 5), TimeSpan.FromSeconds(30).Ticks));
            var handle = Handle(consumed, steps);
            steps.Replace(step, Start(consumed, attempt, token => RetryAsync(consumed, attempt, backoff, error, handle, token), stop));
        }

        Commit(consumer, steps);
    }

    private void Commit(IConsumer<string, byte[]> consumer, PartitionSteps steps, bool leaving = false)
    {
        if (steps.TakeCommittable(leaving) is { } committable && !consumer.Commit([committable], counters, logger))
        {
            steps.CommitRefused(committable);
        }
    }

    private async Task RetryAsync(ConsumeResult<string, byte[]> consumed, int attempt, TimeSpan backoff, string error, Func<CancellationToken, Task> handle, CancellationToken cancellationToken)
    {
        await Task.Delay(backoff, time, cancellationToken);
        if (attempt > options.InfrastructureRetries)
        {
            await deadLetters.ParkAsync(consumed, "infrastructure", $"gave up after {attempt} attempts: {error}", cancellationToken);
            return;
        }

        await handle(cancellationToken);
    }

    /// <summary>
    /// Partitions are leaving this member. Revoked: the steps in flight on one end after their current page (no call
    /// starts once it is leaving; a call under way completes), hand on their cursor as the next step, and the leading
    /// successful ones are committed, so the next owner neither redoes them nor calls alongside them. Lost: another
    /// member may own the partition already, so its steps are cancelled at once and nothing is committed.
    /// </summary>
    private void Release(IConsumer<string, byte[]> consumer, IEnumerable<TopicPartition> leaving, bool lost)
    {
        var partitions = leaving.ToList();
        var inFlight = 0;
        foreach (var partition in partitions)
        {
            if (!_partitions.Remove(partition, out var steps))
            {
                continue;
            }

            var running = steps.Running.ToList();
            inFlight += running.Count;
            steps.Leave();
            if (lost)
            {
                running.ForEach(s => s.Cancel.Cancel());
            }

            WaitQuietly(running);
            if (!lost)
            {
                running.Where(s => s.Work.IsCompletedSuccessfully).ToList().ForEach(s => s.Succeeded());
                Commit(consumer, steps, leaving: true);
            }

            steps.Dispose();
        }

        foreach (var partition in partitions)
        {
            _paused.Remove(partition);
            _heldFrom.Remove(partition);
        }

        Log.Released(logger, name, string.Join(",", partitions.Select(p => p.Partition.Value)), lost ? "lost" : "revoked", inFlight);
    }

    private static void WaitQuietly(IEnumerable<PartitionSteps.Step> steps)
    {
        try
        {
            Task.WaitAll(steps.Select(s => s.Work));
        }
        catch (AggregateException)
        {
        }
    }

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
