using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Backfill.Messaging.Clients;

/// <summary>
/// A consumer loop on its own thread that hands batches to one handler and commits (checked) after each batch.
/// Used by the scheduler's progress reader, its order sink and the control readers of every process, which are quick
/// local writes. A handler's failure never ends the reader: a batch that fails is handled again message by message,
/// and each failure goes by <see cref="HandlerFailures"/> — a message that cannot be applied is parked (or skipped)
/// with why and reading goes on; an infrastructure failure is retried, and when it persists the reader ends, which
/// <see cref="ReaderGuard"/> makes loud: a dead reader never goes unnoticed.
/// </summary>
public sealed partial class BatchConsumer(KafkaClients clients, KafkaCounters counters, ILogger logger)
{
    /// <summary>The most messages one call of the handler is given.</summary>
    public const int MaxBatch = 500;
    private static readonly TimeSpan ErrorPause = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan CommittedTimeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<TopicPartition, long> _next = new();

    /// <summary>What this reader does when its handler throws.</summary>
    public HandlerFailures Failures { get; init; } = HandlerFailures.Default;

    /// <summary>
    /// The topics read are neither compacted nor written in transactions, so a partition's offsets follow one another:
    /// records that left a topic before this reader read them (the broker's retention, or a size limit, outran a reader
    /// that was stopped or behind) show as a jump, and are said as an error and counted
    /// (<see cref="KafkaCounters.RecordsLost"/>) — the client itself only moves on to the oldest record left.
    /// </summary>
    public bool Contiguous { get; init; }

    /// <summary>
    /// Told of each run of records a <see cref="Contiguous"/> reader found gone (topic and partition, first and last
    /// offset), on the reader's thread before the batch after it is handled and committed: a reader stopped in between
    /// finds the same gap again when it comes back.
    /// </summary>
    public Action<TopicPartition, long, long>? OnLost { get; init; }

    /// <summary>True when every assigned partition has been read up to the high watermarks given.</summary>
    public bool HasReached(IReadOnlyDictionary<TopicPartition, long> highWatermarks) =>
        highWatermarks.All(h => h.Value == 0 || (_next.TryGetValue(h.Key, out var next) && next >= h.Value));

    /// <summary>Reads <paramref name="topic"/> in <paramref name="group"/> until <paramref name="stop"/>, a batch at a time.</summary>
    /// <param name="park">
    /// Where a message that cannot be applied goes, with why (the dead-letter topic); null skips it with an error log
    /// line (the control topic, which every process reads: parking there would park it once per process).
    /// </param>
    public Task RunAsync(
        string group,
        string topic,
        Action<IReadOnlyList<ConsumeResult<string, byte[]>>> handle,
        CancellationToken stop,
        Func<ConsumeResult<string, byte[]>, string, CancellationToken, Task>? park = null) =>
        RunAsync(group, [topic], handle, stop, park);

    /// <summary>As <see cref="RunAsync(string, string, Action{IReadOnlyList{ConsumeResult{string, byte[]}}}, CancellationToken, Func{ConsumeResult{string, byte[]}, string, CancellationToken, Task}?)"/>, several topics in one consumer; a batch may mix them.</summary>
    public Task RunAsync(
        string group,
        IReadOnlyList<string> topics,
        Action<IReadOnlyList<ConsumeResult<string, byte[]>>> handle,
        CancellationToken stop,
        Func<ConsumeResult<string, byte[]>, string, CancellationToken, Task>? park = null) =>
        Start(group, topics, batch => Handle(batch, handle, park, stop), stop);

    private Task Start(string group, IReadOnlyList<string> topics, Action<IReadOnlyList<ConsumeResult<string, byte[]>>> handle, CancellationToken stop) =>
        Task.Factory.StartNew(
            () => ReaderGuard.Run(counters, logger, $"{string.Join(", ", topics)} (group {group})", () => Run(group, topics, handle, stop), stop),
            stop,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    private void Run(string group, IReadOnlyList<string> topics, Action<IReadOnlyList<ConsumeResult<string, byte[]>>> handle, CancellationToken stop)
    {
        var gaps = Contiguous ? new OffsetGaps() : null;
        var builder = clients.ConsumerBuilder(group, $"{group}-{Environment.ProcessId}");
        if (gaps is not null)
        {
            builder
                .SetPartitionsAssignedHandler((c, assigned) => Expect(c, gaps, assigned))
                .SetPartitionsRevokedHandler((_, revoked) => gaps.Forget(revoked.Select(p => p.TopicPartition)))
                .SetPartitionsLostHandler((_, lost) => gaps.Forget(lost.Select(p => p.TopicPartition)));
        }

        using var consumer = builder.Build();
        consumer.Subscribe(topics);
        var batch = new List<ConsumeResult<string, byte[]>>(MaxBatch);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                batch.Clear();
                var failed = false;
                var consumed = Consume(consumer, TimeSpan.FromMilliseconds(100), ref failed);
                while (consumed is not null)
                {
                    if (consumed.IsPartitionEOF)
                    {
                        _next[consumed.TopicPartition] = consumed.Offset.Value;
                        gaps?.Expect(consumed.TopicPartition, consumed.Offset.Value);
                    }
                    else
                    {
                        if (gaps?.Read(consumed.TopicPartition, consumed.Offset.Value) is > 0 and var skipped)
                        {
                            counters.Lost(skipped);
                            Log.RecordsLost(logger, skipped, consumed.Topic, consumed.Partition.Value, consumed.Offset.Value - skipped, consumed.Offset.Value - 1);
                            OnLost?.Invoke(consumed.TopicPartition, consumed.Offset.Value - skipped, consumed.Offset.Value - 1);
                        }

                        batch.Add(consumed);
                    }

                    // Checked before the next Consume: a message consumed and then not handled would be skipped for good.
                    if (batch.Count >= MaxBatch)
                    {
                        break;
                    }

                    consumed = Consume(consumer, TimeSpan.Zero, ref failed);
                }

                if (failed)
                {
                    // What was read before the error is handled below; the next read waits a little for the client to recover.
                    stop.WaitHandle.WaitOne(ErrorPause);
                }

                if (batch.Count == 0)
                {
                    continue;
                }

                handle(batch);
                var last = batch.GroupBy(r => r.TopicPartition).Select(g => g.MaxBy(r => r.Offset.Value)!.TopicPartitionOffset).ToList();
                consumer.Commit(last, counters, logger);
                foreach (var position in last)
                {
                    _next[position.TopicPartition] = position.Offset.Value + 1;
                }
            }
        }
        finally
        {
            consumer.Close();
        }
    }

    /// <summary>
    /// A partition's reading starts at its committed offset, or at its beginning when the group never committed one (a
    /// contiguous reader reads its topics whole): a record read further on was never read here.
    /// </summary>
    private void Expect(IConsumer<string, byte[]> consumer, OffsetGaps gaps, List<TopicPartition> assigned)
    {
        try
        {
            foreach (var committed in consumer.Committed(assigned, CommittedTimeout))
            {
                gaps.Expect(committed.TopicPartition, Math.Max(0, committed.Offset.Value));
            }
        }
        catch (KafkaException e)
        {
            // Only the check of the first records read is lost: reading goes on, and the next jump is still seen.
            Log.CommittedUnknown(logger, consumer.Name, e.Error.Code, e.Error.Reason);
        }
    }

    /// <summary>
    /// Hands <paramref name="messages"/> over until they are applied or parked. A batch that failed is handed over again
    /// one message at a time, so one message that cannot be applied does not hold back the others of its batch (the
    /// handlers are idempotent: what a failed batch applied before the failure is applied again as a repeat).
    /// </summary>
    /// <exception cref="HandlerFailedException">An infrastructure failure outlasted <see cref="Failures"/>.</exception>
    private void Handle(
        IReadOnlyList<ConsumeResult<string, byte[]>> messages,
        Action<IReadOnlyList<ConsumeResult<string, byte[]>>> handle,
        Func<ConsumeResult<string, byte[]>, string, CancellationToken, Task>? park,
        CancellationToken stop)
    {
        for (var failures = 1; ; failures++)
        {
            Exception error;
            try
            {
                handle(messages);
                return;
            }
            catch (Exception e) when (!stop.IsCancellationRequested)
            {
                error = e;
            }

            var outcome = Failures.Decide(error, failures);
            if (outcome == HandlerOutcome.Park && messages.Count > 1)
            {
                foreach (var message in messages)
                {
                    Handle([message], handle, park, stop);
                }

                return;
            }

            var position = messages[0].TopicPartitionOffset.ToString();
            if (outcome == HandlerOutcome.Park)
            {
                var why = $"{error.GetType().Name}: {error.Message}";
                try
                {
                    if (park is null)
                    {
                        Log.Skipped(logger, position, why);
                    }
                    else
                    {
                        park(messages[0], why, stop).GetAwaiter().GetResult();
                        Log.Parked(logger, position, why);
                    }

                    return;
                }
                catch (Exception e) when (!stop.IsCancellationRequested && HandlerFailures.IsInfrastructure(e))
                {
                    // Parking needs Kafka: a message that could not be parked yet is handled again, like any other failure.
                    error = e;
                    outcome = Failures.Decide(e, failures);
                }
            }

            if (outcome == HandlerOutcome.Stop)
            {
                throw new HandlerFailedException($"handling {messages.Count} message(s) from {position} failed {failures} times in a row; last: {error.GetType().Name}: {error.Message}", error);
            }

            var pause = Failures.Pause(failures);
            Log.Retrying(logger, messages.Count, position, failures, Failures.MaxFailures, pause.TotalMilliseconds, error.GetType().Name, error.Message);
            if (stop.WaitHandle.WaitOne(pause))
            {
                stop.ThrowIfCancellationRequested();
            }
        }
    }

    /// <summary>
    /// The next message, or null. A fetch that failed (a broker down, a request timed out) is said and read again later:
    /// thrown on, it would end this reader and stop its whole process over a fault the client recovers from by itself.
    /// </summary>
    private ConsumeResult<string, byte[]>? Consume(IConsumer<string, byte[]> consumer, TimeSpan timeout, ref bool failed)
    {
        try
        {
            return consumer.Consume(timeout);
        }
        catch (ConsumeException e)
        {
            failed = true;
            Log.ConsumeFailed(logger, consumer.Name, e.Error.Code, e.Error.Reason);
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "{Client}: reading failed ({Code} {Reason}); reading again shortly")]
        public static partial void ConsumeFailed(ILogger logger, string client, ErrorCode code, string reason);

        [LoggerMessage(2, LogLevel.Error, "Message at {Position} cannot be applied; parked on the dead-letter topic, reading goes on: {Reason}")]
        public static partial void Parked(ILogger logger, string position, string reason);

        [LoggerMessage(3, LogLevel.Error, "Message at {Position} cannot be applied; skipped, reading goes on: {Reason}")]
        public static partial void Skipped(ILogger logger, string position, string reason);

        [LoggerMessage(4, LogLevel.Warning, "Handling {Count} message(s) from {Position} failed ({Failures} of {MaxFailures} in a row), again in {PauseMs} ms: {Type}: {Error}")]
        public static partial void Retrying(ILogger logger, int count, string position, int failures, int maxFailures, double pauseMs, string type, string error);

        [LoggerMessage(5, LogLevel.Error, "{Count} record(s) of {Topic} [{Partition}], offsets {From}–{To}, left the topic before this reader read them (the broker's retention or size limit dropped them): what they carried is missing")]
        public static partial void RecordsLost(ILogger logger, long count, string topic, int partition, long from, long to);

        [LoggerMessage(6, LogLevel.Warning, "{Client}: the committed offsets of its new partitions could not be read ({Code} {Reason}); records lost before its first read of them would go unnoticed")]
        public static partial void CommittedUnknown(ILogger logger, string client, ErrorCode code, string reason);

    }
}

/// <summary>A reader's handler kept failing on the infrastructure; the reader ends.</summary>
public sealed class HandlerFailedException(string message, Exception inner) : Exception(message, inner);
