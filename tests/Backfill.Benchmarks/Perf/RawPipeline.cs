using Backfill.Messaging.Contracts;
using Backfill.Messaging.Topics;
using Confluent.Kafka;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// P4's reference: plain Confluent.Kafka on the same cluster. Consume an action, produce what the worker produces for it
/// (the same contracts and sizes: a started, a done and a succeeded progress message and the page's orders), and commit
/// once what was consumed is delivered: a flush and a commit every <see cref="CommitEvery"/> messages, the usual
/// throughput-minded loop. Same producer durability as the product (acks=all, idempotent, linger 5 ms).
/// </summary>
internal sealed class RawPipeline(string bootstrap, TopicNames topics, int ordersPerAction)
{
    private const int CommitEvery = 500;
    private static readonly TimeProvider Time = TimeProvider.System;

    /// <summary>Consumes <paramref name="count"/> actions; returns the time from the first consumed to the last commit.</summary>
    public TimeSpan Run(int count, CancellationToken cancellationToken)
    {
        var group = $"{topics.Namespace}.raw";
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            FetchWaitMaxMs = 100,
        }.Also("group.protocol", "consumer")).Build();
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
        }).Build();
        var failed = 0;
        void Delivered(DeliveryReport<string, byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.Increment(ref failed);
            }
        }

        consumer.Subscribe(topics.Actions);
        var done = 0;
        var sinceCommit = 0;
        long started = 0;
        var positions = new Dictionary<TopicPartition, TopicPartitionOffset>();
        while (done < count)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var consumed = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (consumed is null)
            {
                continue;
            }

            if (started == 0)
            {
                started = Time.GetTimestamp();
            }

            var action = MessageCodec.Decode<ActionMessage>(consumed.Message.Value);
            Produce(producer, topics.Namespace, ProgressMessage.For(action, ProgressKind.StepStarted, "raw", Time.GetUtcNow()), Delivered);
            var page = InstantOrderSources.Page(action.Shop, action.From, ordersPerAction);
            foreach (var record in page.Records)
            {
                var message = RecordMessage.Of(record.Json.Span, m => m with
                {
                    Platform = action.Platform,
                    Shop = action.Shop,
                    Dataset = record.Dataset,
                    Id = record.Id,
                    CreateTime = record.CreateTime,
                    UpdateTime = record.UpdateTime,
                    Job = action.Job,
                    Slice = action.Slice,
                });
                Send(producer, RawTopics.Orders(topics.Namespace), message.Key, MessageCodec.Encode(message), Delivered);
            }

            Produce(producer, topics.Namespace, ProgressMessage.For(action, ProgressKind.StepDone, "raw", Time.GetUtcNow()) with { Pages = 1, Orders = page.Records.Count, Calls = page.Calls }, Delivered);
            Produce(producer, topics.Namespace, ProgressMessage.For(action, ProgressKind.SliceSucceeded, "raw", Time.GetUtcNow()), Delivered);
            positions[consumed.TopicPartition] = new TopicPartitionOffset(consumed.TopicPartition, consumed.Offset + 1);
            done++;
            if (++sinceCommit >= CommitEvery || done == count)
            {
                producer.Flush(cancellationToken);
                consumer.Commit(positions.Values);
                sinceCommit = 0;
            }
        }

        var elapsed = Time.GetElapsedTime(started);
        consumer.Close();
        return failed == 0 ? elapsed : throw new InvalidOperationException($"The raw loop failed to deliver {failed} message(s).");
    }

    private static void Produce(IProducer<string, byte[]> producer, string ns, ProgressMessage progress, Action<DeliveryReport<string, byte[]>> delivered) =>
        Send(producer, RawTopics.Progress(ns), progress.Job, MessageCodec.Encode(progress), delivered);

    private static void Send(IProducer<string, byte[]> producer, string topic, string key, byte[] value, Action<DeliveryReport<string, byte[]>> delivered)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, new Message<string, byte[]> { Key = key, Value = value }, delivered);
                return;
            }
            catch (ProduceException<string, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(10));
            }
        }
    }
}

internal static class ConfigExtensions
{
    public static T Also<T>(this T config, string key, string value)
        where T : Config
    {
        config.Set(key, value);
        return config;
    }
}
