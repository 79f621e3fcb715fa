using System.Diagnostics;
using Backfill.Core.Telemetry;
using Backfill.Messaging;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Platforms;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Backfill.Worker;

/// <summary>
/// Brings one action message to a decision (R6): the step is done and its successor queued, the slice is
/// reported finished, or the message is parked on the dead-letter topic with its error. Infrastructure failures
/// (Kafka) throw, and the consumer retries the message. A step of a cancelled job makes no call, or none after its
/// current page, queues no successor and reports the slice cancelled (R4).
/// </summary>
internal sealed partial class ActionHandler(
    IProducer<string, byte[]> producer,
    KafkaConnection connection,
    IOrderSources sources,
    StepRunner runner,
    StepLedger ledger,
    JobCancellations cancellations,
    DeadLetters deadLetters,
    WorkerStats stats,
    KafkaCounters counters,
    string process,
    TimeProvider time,
    ILogger<ActionHandler> logger)
{
    /// <param name="callsOver">
    /// Called once the step makes no further platform call: what remains is waiting for Kafka's acknowledgements, which
    /// need not keep another step of the partition from calling (docs/performance.md, P4).
    /// </param>
    /// <param name="ownership">The consuming member's lease on its partitions: the step's calls start only while it is held.</param>
    /// <param name="lending">The partition while it stays here, whose lanes' free places other lanes' calls in this process may take, and the step's calls theirs (<see cref="LaneLending"/>).</param>
    /// <param name="yield">Cancelled when the partition leaves this worker: the step ends after its current page and hands on.</param>
    public async Task HandleAsync(ConsumeResult<string, byte[]> consumed, string worker, OwnershipLease ownership, Action callsOver, LaneLending? lending, CancellationToken yield, CancellationToken cancellationToken)
    {
        ActionMessage action;
        try
        {
            var size = consumed.Message.Value?.Length ?? 0;
            if (size > ActionMessage.MaxEncodedBytes)
            {
                throw new MalformedMessageException($"an action of {size} bytes is over the limit of {ActionMessage.MaxEncodedBytes} bytes");
            }

            action = MessageCodec.Decode<ActionMessage>(consumed.Message.Value);
        }
        catch (MalformedMessageException e)
        {
            Log.Malformed(logger, consumed.TopicPartitionOffset.ToString(), e.Message);
            await deadLetters.ParkAsync(consumed, "decode", e.Message, cancellationToken);
            return;
        }

        using var activity = StartStep(action, consumed.Message.Headers);
        try
        {
            var outcome = await HandleAsync(action, consumed, TraceHeaders.Next(activity, consumed.Message.Headers), worker, ownership, callsOver, lending, yield, cancellationToken);
            activity?.SetTag(BackfillTelemetry.Tags.Outcome, outcome.Name);
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error, e.Message);
            throw;
        }
    }

    /// <summary>Runs a decoded action and carries out its <see cref="StepOutcome"/>.</summary>
    /// <param name="trace">The trace context every message this step produces carries; null when there is none.</param>
    private async Task<StepOutcome> HandleAsync(ActionMessage action, ConsumeResult<string, byte[]> consumed, Headers? trace, string worker, OwnershipLease ownership, Action callsOver, LaneLending? lending, CancellationToken yield, CancellationToken cancellationToken)
    {
        using var scope = SliceLogScope.Begin(logger, action.Job, action.Slice, action.Shop, action.Platform);
        if (StepOutcome.Where(action, consumed.Partition.Value) is { } misplaced)
        {
            stats.DuplicateDropped();
            Log.Misplaced(logger, action.Id, consumed.TopicPartitionOffset.ToString(), misplaced.Home);
            return misplaced;
        }

        // A cancel announced before this process started may still be on its way in: no step starts before it is known.
        await cancellations.Ready.WaitAsync(cancellationToken);
        using var turn = await ledger.TurnAsync(action.Slice, cancellationToken);
        switch (StepOutcome.BeforeCalls(ledger.IsDone(action), cancellations.IsCancelled(action.Job)))
        {
            case StepOutcome.Duplicate duplicate:
                stats.DuplicateDropped();
                Log.Duplicate(logger, action.Id);
                return duplicate;
            case StepOutcome.Cancelled cancelled:
                await ReportAsync(ProgressMessage.For(action, ProgressKind.SliceCancelled, worker, time.GetUtcNow()), trace, cancellationToken);
                ledger.Done(action);
                stats.SliceCancelled();
                Log.Dropped(logger, action.Id, action.Job);
                return cancelled;
        }

        using var watch = cancellations.Watch(action.Job);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(yield, watch.Token);

        var started = time.GetTimestamp();

        // Off the critical path: the lane's first call need not wait for this delivery; it is awaited before the step's outcome is reported.
        var start = new Deliveries(producer);
        Report(start, ProgressMessage.For(action, ProgressKind.StepStarted, worker, time.GetUtcNow()), trace);
        var startReported = start.Acknowledged().WaitAsync(cancellationToken);
        StepResult result;
        try
        {
            try
            {
                result = await runner.RunAsync(action, sources.Get(action.Platform), ownership, lending, stop.Token, cancellationToken);
            }
            finally
            {
                callsOver();
            }

            await startReported;
            await result.Delivered;
        }
        catch (Exception e) when (StepOutcome.OfFailure(e) is { } failed && !cancellationToken.IsCancellationRequested)
        {
            await startReported;
            stats.StepFailed();
            Log.StepFailed(logger, action.Id, failed.Error);
            await deadLetters.ParkAsync(consumed, "platform", failed.Error, cancellationToken);
            await ReportAsync(ProgressMessage.For(action, ProgressKind.SliceFailed, worker, time.GetUtcNow()) with { Error = failed.Error, Failure = failed.Failure, Elapsed = time.GetElapsedTime(started) }, trace, cancellationToken);
            ledger.Done(action);
            return failed;
        }

        var elapsed = time.GetElapsedTime(started);
        var outcome = StepOutcome.OfResult(action, result, watch.Token.IsCancellationRequested);
        if (outcome is StepOutcome.Stopped)
        {
            await ReportAsync(WithWork(ProgressMessage.For(action, ProgressKind.SliceCancelled, worker, time.GetUtcNow()), result, elapsed), trace, cancellationToken);
            ledger.Done(action);
            stats.SliceCancelled();
            Log.Stopped(logger, action.Id, action.Job, result.Pages);
            return outcome;
        }

        // The step's report and what follows it go out together, one wait for both: the records are durable already,
        // and the progress topic keeps the two reports of a slice in the order they were produced (same key, one
        // producer). Should either fail, the step is redone and both are sent again.
        var deliveries = new Deliveries(producer);
        var lane = LaneOf(action);
        Report(deliveries, WithWork(ProgressMessage.For(action, ProgressKind.StepDone, worker, time.GetUtcNow()), result, elapsed) with
        {
            More = result.More,
            LaneRate = lane.Rate,
            LaneLatency = lane.Latency,
        }, trace);

        if (outcome is StepOutcome.Next next)
        {
            // The next step stays on this partition, so it stays with the lane's one owner.
            deliveries.Produce(consumed.TopicPartition, new Message<string, byte[]> { Key = next.Action.Key, Value = MessageCodec.Encode(next.Action), Headers = trace });
        }
        else
        {
            Report(deliveries, ProgressMessage.For(action, ProgressKind.SliceSucceeded, worker, time.GetUtcNow()) with { Elapsed = elapsed }, trace);
        }

        await deliveries.Acknowledged().WaitAsync(cancellationToken);

        ledger.Done(action);
        stats.StepDone(result.Orders, elapsed);
        Log.StepDone(logger, action.Id, result.Pages, result.Orders, result.More, elapsed.TotalMilliseconds);
        return outcome;
    }

    /// <summary>The report with what the step did: its pages, records, calls, where the slice goes on, how long it took.</summary>
    private static ProgressMessage WithWork(ProgressMessage progress, StepResult result, TimeSpan elapsed) => progress with
    {
        Pages = result.Pages,
        Orders = result.Orders,
        Calls = result.Calls,
        CallsByData = result.CallsByData,
        RecordsByData = result.RecordsByData,
        Cursor = result.Cursor,
        Elapsed = elapsed,
        Throttles = result.Throttles,
    };

    /// <summary>The step's activity, a child of the context its message carries (the release, or the step before); null when nobody listens.</summary>
    private static Activity? StartStep(ActionMessage action, Headers? headers)
    {
        if (!BackfillTelemetry.Source.HasListeners())
        {
            return null;
        }

        return BackfillTelemetry.Source.StartActivity(BackfillTelemetry.Step, ActivityKind.Consumer, TraceHeaders.Parent(headers))
            ?.SetTag(BackfillTelemetry.Tags.Job, action.Job)
            .SetTag(BackfillTelemetry.Tags.Slice, action.Slice)
            .SetTag(BackfillTelemetry.Tags.Attempt, action.Attempt)
            .SetTag(BackfillTelemetry.Tags.Step, action.Step)
            .SetTag(BackfillTelemetry.Tags.Platform, action.Platform)
            .SetTag(BackfillTelemetry.Tags.Shop, action.Shop)
            .SetTag(BackfillTelemetry.Tags.Lane, action.Lane);
    }

    /// <summary>The step's lane's rate and its calls' latency now, from one read of the platform's budget (the whole budget's rate when the lane has not called yet).</summary>
    private (double Rate, TimeSpan Latency) LaneOf(ActionMessage action)
    {
        var budget = sources.Budget(action.Platform);
        return budget.Lanes.FirstOrDefault(l => l.Lane == action.Lane && l.Lanes == action.Lanes) is { } lane
            ? (lane.CallsPerSecond, lane.Latency)
            : (budget.CallsPerSecond * budget.Factor, TimeSpan.Zero);
    }

    /// <summary>Every report carries this process's Kafka outcomes, so a failed commit or an eviction in any worker process shows in the scheduler's status and metrics (R3).</summary>
    private Task ReportAsync(ProgressMessage progress, Headers? trace, CancellationToken cancellationToken)
    {
        var deliveries = new Deliveries(producer);
        Report(deliveries, progress, trace);
        return deliveries.Acknowledged().WaitAsync(cancellationToken);
    }

    private void Report(Deliveries deliveries, ProgressMessage progress, Headers? trace)
    {
        var report = progress with { Process = process, CommitFailures = counters.CommitFailures, Evictions = counters.Evictions };
        deliveries.Produce(connection.Topics.Progress, new Message<string, byte[]> { Key = report.Job, Value = MessageCodec.Encode(report), Headers = trace });
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Malformed action at {Position} parked on the dead-letter topic: {Error}")]
        public static partial void Malformed(ILogger logger, string position, string error);

        [LoggerMessage(2, LogLevel.Information, "Duplicate of step {Action} dropped")]
        public static partial void Duplicate(ILogger logger, string action);

        [LoggerMessage(3, LogLevel.Warning, "Step {Action} failed; slice marked failed and the step parked on the dead-letter topic: {Error}")]
        public static partial void StepFailed(ILogger logger, string action, string error);

        [LoggerMessage(5, LogLevel.Information, "Step {Action} dropped before its first call: job {Job} is cancelled")]
        public static partial void Dropped(ILogger logger, string action, string job);

        [LoggerMessage(6, LogLevel.Information, "Step {Action} stopped after {Pages} page(s): job {Job} is cancelled; no next step")]
        public static partial void Stopped(ILogger logger, string action, string job, int pages);

        [LoggerMessage(7, LogLevel.Warning, "Copy of step {Action} at {Position} dropped: the slice's steps live on partition {Home}")]
        public static partial void Misplaced(ILogger logger, string action, string position, int home);

        [LoggerMessage(4, LogLevel.Debug, "Step {Action} done: {Pages} pages, {Orders} orders, more={More}, {ElapsedMs:F0} ms")]
        public static partial void StepDone(ILogger logger, string action, int pages, int orders, bool more, double elapsedMs);
    }
}
