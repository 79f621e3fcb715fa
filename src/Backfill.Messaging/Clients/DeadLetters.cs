using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Backfill.Messaging.Clients;

/// <summary>Parks a message that cannot be processed on the dead-letter topic with its error, so the offset moves on (R6).</summary>
public sealed class DeadLetters(IProducer<string, byte[]> producer, KafkaConnection connection, KafkaCounters counters, TimeProvider time)
{
    public const string ErrorHeader = "backfill-error";
    public const string StageHeader = "backfill-stage";
    public const string SourceHeader = "backfill-source";
    public const string AtHeader = "backfill-at";

    /// <summary>Produces the original key and bytes with the error in headers, and waits until it is durable.</summary>
    public async Task ParkAsync(ConsumeResult<string, byte[]> original, string stage, string error, CancellationToken cancellationToken)
    {
        var headers = new Headers();
        foreach (var header in original.Message.Headers ?? [])
        {
            headers.Add(header.Key, header.GetValueBytes());
        }

        headers.Add(ErrorHeader, Encoding.UTF8.GetBytes(error));
        headers.Add(StageHeader, Encoding.UTF8.GetBytes(stage));
        headers.Add(SourceHeader, Encoding.UTF8.GetBytes(original.TopicPartitionOffset.ToString()));
        headers.Add(AtHeader, Encoding.UTF8.GetBytes(time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture)));

        await producer.ProduceAsync(
            connection.Topics.DeadLetters,
            new Message<string, byte[]> { Key = original.Message.Key, Value = original.Message.Value ?? [], Headers = headers },
            cancellationToken);
        counters.DeadLetter();
    }
}
