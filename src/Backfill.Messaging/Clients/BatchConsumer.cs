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
                var consumed = consumer.Consume(TimeSpan.FromMilliseconds(100));
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

                    consumed = consumer.Consume(TimeSpan.Zero);
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
}
