using Backfill.Messaging.Contracts;
using Backfill.Messaging.Topics;
using Confluent.Kafka;

namespace Backfill.Benchmarks.Perf;

/// <summary>Writes the action messages both sides consume (P4, P5): one first step per slice, lanes spread over the partitions.</summary>
internal static class ActionFeed
{
    public const string Platform = "perf";
    public const int Lanes = 8;
    private static readonly DateTimeOffset First = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static ActionMessage Action(int n)
    {
        var shop = (100_000 + (n % 500)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var from = First.AddDays(n / 500);
        return new ActionMessage
        {
            Job = "perf-job",
            Slice = $"perf-job/{shop}/{from:yyyyMMdd}",
            Attempt = 1,
            Step = 0,
            Platform = Platform,
            Shop = shop,
            From = from,
            To = from.AddDays(1),
            Lane = n % Lanes,
            Lanes = Lanes,
        };
    }

    /// <summary>Produces actions <c>[0, count)</c> to the action topic of <paramref name="topics"/>; returns when all are durable.</summary>
    public static void Produce(string bootstrap, TopicNames topics, int partitions, int count)
    {
        using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 20, Acks = Acks.All }).Build();
        var failed = 0;
        for (var n = 0; n < count; n++)
        {
            var action = Action(n);
            var partition = new TopicPartition(topics.Actions, action.Lane % partitions);
            while (true)
            {
                try
                {
                    producer.Produce(partition, new Message<string, byte[]> { Key = action.Key, Value = MessageCodec.Encode(action) }, r =>
                    {
                        if (r.Error.IsError)
                        {
                            Interlocked.Increment(ref failed);
                        }
                    });
                    break;
                }
                catch (ProduceException<string, byte[]> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(50));
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(2));
        if (failed > 0 || producer.Flush(TimeSpan.Zero) > 0)
        {
            throw new InvalidOperationException($"{failed} action message(s) could not be written to {topics.Actions}.");
        }
    }
}
