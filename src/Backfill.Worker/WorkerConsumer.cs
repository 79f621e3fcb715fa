using Backfill.Messaging.Clients;
using Backfill.Platforms;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Backfill.Worker;

/// <summary>
/// One member of the worker group on its own thread. Each of its partitions carries budget lanes and runs up to
/// <see cref="StepPlaces"/> steps' platform calls side by side (at least <see cref="WorkerOptions.StepsPerPartition"/>, more
/// as the lanes' rate × latency asks) (a step waiting only for Kafka's
/// acknowledgements leaves its place to the next, so a broker round trip does not set the pace), so a lane always has a call waiting when its window
/// frees a place (the lane's window, not this loop, decides when calls start). Messages read while the partition's steps
/// are all taken wait here, in offset order, and start as soon as a step ends; the partition is paused only when that
/// backlog is full, so a fast platform does not wait for a fetch after every few steps (docs/performance.md, P4). Its offset is committed (checked) up to the last step before which every step succeeded; the member goes on
/// polling meanwhile, so Kafka never sees a silent member however long a step takes (R3).
/// A partition given to this member is held for <see cref="IOrderSources.HandOverHold"/> before its first step:
/// by then every call its previous owner made has left the platform's windows (docs/rate-budget.md); a partition leaving
/// this member is handed over once its steps and the calls in its lanes' lent places (<see cref="LaneLending"/>) ended. Every return of a
/// poll renews the member's <see cref="OwnershipLease"/>, without which no call for its partitions starts.
/// </summary>
internal sealed partial class WorkerConsumer(
    string name,
    KafkaClients clients,
    ActionHandler handler,
    DeadLetters deadLetters,
    KafkaCounters counters,
    WorkerOptions options,
    StepPlaces stepPlaces,
    TimeSpan handOverHold,
    TimeSpan ownershipLease,
    TimeProvider time,
    ILogger<WorkerConsumer> logger)
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(200);
    // While steps run, the loop comes round this often to commit the ended ones and start waiting ones: a step's end
    // cannot wake a blocked poll, so this bounds the gap between one step of a partition and the next.
    private static readonly TimeSpan BusyPoll = TimeSpan.FromMilliseconds(5);

    // While a rebalance callback waits for steps, the loop renews the lease this often: it is running, in the group's hands.
    private static readonly TimeSpan RenewEvery = TimeSpan.FromMilliseconds(100);
    private readonly OwnershipLease _lease = new(ownershipLease, time);
    private readonly Dictionary<TopicPartition, Queue<ConsumeResult<string, byte[]>>> _waiting = [];
    private readonly Dictionary<TopicPartition, PartitionSteps> _partitions = [];
    private readonly Dictionary<TopicPartition, long> _heldFrom = [];
    private readonly HashSet<TopicPartition> _paused = [];
    private readonly PartitionBacklog _backlog = PartitionBacklog.For(options.StepsPerPartition);
    private readonly InfrastructureBackoff _backoff = new(options.InfrastructureBackoff, options.InfrastructureRetries);

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
        Log.Started(logger, name, topics.Actions, (long)_lease.Length.TotalMilliseconds);
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
            foreach (var (partition, steps) in _partitions)
            {
                var running = steps.Running.ToList();
                steps.Leave();
                WaitAndRenew(HandOverAsync(partition, steps));
                running.Where(s => s.Work.IsCompletedSuccessfully).ToList().ForEach(s => s.Succeeded());
                Commit(consumer, steps, leaving: true);
                steps.Dispose();
            }

            _partitions.Clear();
            _waiting.Clear();
            consumer.Close();
            Log.Stopped(logger, name);
        }
    }

    private void Assigned(IEnumerable<TopicPartition> assigned)
    {
        Renew();
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
        var committable = new List<(PartitionSteps Steps, TopicPartitionOffset Offset)>();
        foreach (var (assigned, open) in _partitions)
        {
            Finish(open, stop);
            StartWaiting(assigned, open, stop);
            if (open.TakeCommittable() is { } offset)
            {
                committable.Add((open, offset));
            }
        }

        // One commit for every partition of this member: a commit is a round trip to the broker during which this loop
        // starts nothing, so one per partition per turn cost the pipeline a third of its rate (docs/performance.md, P4).
        if (committable.Count > 0 && !consumer.Commit(committable.Select(c => c.Offset), counters, logger))
        {
            committable.ForEach(c => c.Steps.CommitRefused(c.Offset));
        }

        ResumeReady(consumer);
        var busy = _partitions.Values.Any(s => !s.IsEmpty) || _paused.Count > 0;
        var consumed = consumer.Consume(busy ? BusyPoll : IdlePoll);
        Renew();
        if (consumed is null || consumed.IsPartitionEOF)
        {
            return;
        }

        var partition = consumed.TopicPartition;
        var steps = Steps(partition);
        var waiting = Waiting(partition);
        if (_backlog.PutsBack(waiting.Count))
        {
            Pause(consumer, partition);
            consumer.Seek(consumed.TopicPartitionOffset);
            return;
        }

        if (waiting.Count == 0 && steps.CanTake && !IsHeld(partition))
        {
            steps.Add(Start(consumed, failures: 0, Handle(consumed, steps), stop));
        }
        else
        {
            waiting.Enqueue(consumed);
        }

        if (_backlog.Pauses(waiting.Count))
        {
            Pause(consumer, partition);
        }
    }

    private Queue<ConsumeResult<string, byte[]>> Waiting(TopicPartition partition)
    {
        if (!_waiting.TryGetValue(partition, out var waiting))
        {
            waiting = new Queue<ConsumeResult<string, byte[]>>();
            _waiting[partition] = waiting;
        }

        return waiting;
    }

    /// <summary>Starts the partition's waiting messages, oldest first, while it has room.</summary>
    private void StartWaiting(TopicPartition partition, PartitionSteps steps, CancellationToken stop)
    {
        if (!_waiting.TryGetValue(partition, out var waiting) || IsHeld(partition))
        {
            return;
        }

        while (waiting.Count > 0 && steps.CanTake)
        {
            var next = waiting.Dequeue();
            steps.Add(Start(next, failures: 0, Handle(next, steps), stop));
        }
    }

    private PartitionSteps Steps(TopicPartition partition)
    {
        if (!_partitions.TryGetValue(partition, out var steps))
        {
            steps = new PartitionSteps(() => stepPlaces.Current, time, _lease);
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

    private Func<Action, CancellationToken, Task> Handle(ConsumeResult<string, byte[]> consumed, PartitionSteps steps) =>
        (callsOver, token) => handler.HandleAsync(consumed, name, _lease, callsOver, steps.Lending, steps.Leaving, token);

    private static PartitionSteps.Step Start(ConsumeResult<string, byte[]> consumed, int failures, Func<Action, CancellationToken, Task> work, CancellationToken stop)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var calls = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return new PartitionSteps.Step(consumed, work(() => calls.TrySetResult(), cancel.Token), failures, cancel, calls.Task);
    }

    private void ResumeReady(IConsumer<string, byte[]> consumer)
    {
        if (_paused.Count == 0)
        {
            return;
        }

        var ready = _paused.Where(p => (!_waiting.TryGetValue(p, out var waiting) || _backlog.Resumes(waiting.Count)) && !IsHeld(p)).ToList();
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

    private void Finish(PartitionSteps steps, CancellationToken stop)
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
            var retry = _backoff.After(step.Failures);
            Log.InfrastructureFailure(logger, name, consumed.TopicPartitionOffset.ToString(), retry.Attempt, error);
            var handle = Handle(consumed, steps);
            steps.Replace(step, Start(consumed, retry.Attempt, (callsOver, token) => RetryAsync(
                    retry,
                    () => handle(callsOver, token),
                    () => deadLetters.ParkAsync(consumed, "infrastructure", $"gave up after {retry.Attempt} attempts: {error}", token),
                    time,
                    steps.Leaving,
                    token),
                stop));
        }
    }

    private void Commit(IConsumer<string, byte[]> consumer, PartitionSteps steps, bool leaving = false)
    {
        if (steps.TakeCommittable(leaving) is { } committable && !consumer.Commit([committable], counters, logger))
        {
            steps.CommitRefused(committable);
        }
    }

    /// <summary>
    /// Handles a message again, or parks it, after the <paramref name="retry"/>'s back-off. The back-off ends early when
    /// the partition leaves this member (<paramref name="leaving"/>): the retry is then the next owner's (the message stays
    /// uncommitted), and the hand-over does not wait out a back-off of up to <see cref="InfrastructureBackoff.Cap"/>.
    /// </summary>
    internal static async Task RetryAsync(
        InfrastructureBackoff.Retry retry, Func<Task> handle, Func<Task> park, TimeProvider time, CancellationToken leaving, CancellationToken cancellationToken)
    {
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(leaving, cancellationToken))
        {
            await Task.Delay(retry.Delay, time, wait.Token);
        }

        await (retry.Park ? park() : handle());
    }

    /// <summary>
    /// Partitions are leaving this member. Revoked: the steps in flight on one end after their current page (no call
    /// starts once it is leaving; a call under way completes), hand on their cursor as the next step, and the leading
    /// successful ones are committed, so the next owner neither redoes them nor calls alongside them. Lost: another
    /// member may own the partition already, so its steps are cancelled at once and nothing is committed.
    /// </summary>
    private void Release(IConsumer<string, byte[]> consumer, IEnumerable<TopicPartition> leaving, bool lost)
    {
        Renew();
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

            WaitAndRenew(HandOverAsync(partition, steps));
            if (!lost)
            {
                running.Where(s => s.Work.IsCompletedSuccessfully).ToList().ForEach(s => s.Succeeded());
                Commit(consumer, steps, leaving: true);
            }

            steps.Dispose();
        }

        foreach (var partition in partitions)
        {
            // Read but never started: uncommitted, so the next owner reads them again.
            _waiting.Remove(partition);
            _paused.Remove(partition);
            _heldFrom.Remove(partition);
        }

        Log.Released(logger, name, string.Join(",", partitions.Select(p => p.Partition.Value)), lost ? "lost" : "revoked", inFlight);
    }

    /// <summary>A leaving partition's hand-over, said when it waits for calls given up on (<see cref="PartitionSteps.HandOverAsync"/>).</summary>
    private Task HandOverAsync(TopicPartition partition, PartitionSteps steps) =>
        steps.HandOverAsync(late => Log.WaitingForLate(logger, name, partition.Partition.Value, (long)Math.Ceiling(late.TotalMilliseconds)));

    /// <summary>
    /// Waits for a leaving partition's hand-over (<see cref="PartitionSteps.HandOverAsync"/>). The loop runs meanwhile,
    /// inside a poll, so it renews the lease: a rebalance that waits for a slow call does not stop the member's other partitions.
    /// </summary>
    private void WaitAndRenew(Task handOver)
    {
        while (!handOver.Wait(RenewEvery))
        {
            Renew();
        }

        Renew();
    }

    private void Renew()
    {
        if (_lease.Renew() is { } gap)
        {
            Log.Stalled(logger, name, (long)gap.TotalMilliseconds, (long)_lease.Length.TotalMilliseconds);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Worker {Worker} consuming {Topic}; its calls need a poll within the last {LeaseMs} ms")]
        public static partial void Started(ILogger logger, string worker, string topic, long leaseMs);

        [LoggerMessage(2, LogLevel.Information, "Worker {Worker} stopped")]
        public static partial void Stopped(ILogger logger, string worker);

        [LoggerMessage(5, LogLevel.Error, "Worker {Worker}: Kafka client error {Code} {Reason}; continuing")]
        public static partial void LoopError(ILogger logger, string worker, ErrorCode code, string reason);

        [LoggerMessage(4, LogLevel.Information, "Worker {Worker} assigned partitions [{Partitions}]; their first calls wait {HoldMs} ms for the previous owner's calls to leave the platform's window")]
        public static partial void Assigned(ILogger logger, string worker, string partitions, long holdMs);

        [LoggerMessage(6, LogLevel.Information, "Worker {Worker} gave up partitions [{Partitions}] ({How}) after {Steps} step(s) in flight ended")]
        public static partial void Released(ILogger logger, string worker, string partitions, string how, int steps);

        [LoggerMessage(7, LogLevel.Warning, "Worker {Worker} did not poll for {GapMs} ms (the process or its poll loop stopped), longer than its ownership lease of {LeaseMs} ms: no call for its partitions starts until it has polled as long again, by when a lost assignment is known")]
        public static partial void Stalled(ILogger logger, string worker, long gapMs, long leaseMs);

        [LoggerMessage(8, LogLevel.Information, "Worker {Worker} hands partition {Partition} over in {LateMs} ms: a call it gave up on (a timeout, or its step stopped) may reach the platform until then, and the next owner's calls must not meet it in the platform's window")]
        public static partial void WaitingForLate(ILogger logger, string worker, int partition, long lateMs);

        [LoggerMessage(3, LogLevel.Error, "Worker {Worker}: message {Position} failed (attempt {Attempt}) on infrastructure: {Error}; retrying after back-off")]
        public static partial void InfrastructureFailure(ILogger logger, string worker, string position, int attempt, string error);
    }
}
