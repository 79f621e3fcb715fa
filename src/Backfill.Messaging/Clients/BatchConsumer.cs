using System.Collections.Concurrent;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Backfill.Messaging.Clients;

/// <summary>
/// A consumer loop on its own thread that hands batches to one handler and commits (checked) after each batch.
/// Used by the scheduler's progress reader and the order sink, which are quick local writes.
/// </summary>
public sealed partial class BatchConsumer(KafkaClients clients, KafkaCounters counters, ILogger logger)
{
    internal const int MaxBatch = 500;
    private static readonly TimeSpan ErrorPause = TimeSpan.FromMilliseconds(200);
    private readonly ConcurrentDictionary<TopicPartition, long> _next = new();

    /// <summary>True when every assigned partition has been read up to the high watermarks given.</summary>
    public bool HasReached(IReadOnlyDictionary<TopicPartition, long> highWatermarks) =>
        highWatermarks.All(h => h.Value == 0 || (_next.TryGetValue(h.Key, out var next) && next >= h.Value));

    public Task RunAsync(string group, string topic, Action<IReadOnlyList<ConsumeResult<string, byte[]>>> handle, CancellationToken stop) =>
        Task.Factory.StartNew(() => Run(group, topic, handle, stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(string group, string topic, Action<IReadOnlyList<ConsumeResult<string, byte[]>>> handle, CancellationToken stop)
    {
        using var consumer = clients.ConsumerBuilder(group, $"{group}-{Environment.ProcessId}").Build();
        consumer.Subscribe(topic);
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
                    }
                    else
                    {
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
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            consumer.Close();
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
    }
}
