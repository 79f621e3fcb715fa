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

    /// <summary>Set when the parked value was cut to <see cref="MaxValueBytes"/>: the original's size in bytes.</summary>
    public const string OriginalBytesHeader = "backfill-original-bytes";

    /// <summary>
    /// The most of the original value that is parked. A message too big for the producer (librdkafka's
    /// <c>message.max.bytes</c>, 1 MB by default) could never be parked whole, and would come back for ever as a
    /// failure to park; its beginning is enough to see what it was (R6).
    /// </summary>
    public const int MaxValueBytes = 256 * 1024;

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
        var value = original.Message.Value ?? [];
        if (value.Length > MaxValueBytes)
        {
            headers.Add(OriginalBytesHeader, Encoding.UTF8.GetBytes(value.Length.ToString(CultureInfo.InvariantCulture)));
            value = value[..MaxValueBytes];
        }

        await producer.ProduceAsync(
            connection.Topics.DeadLetters,
            new Message<string, byte[]> { Key = original.Message.Key, Value = value, Headers = headers },
            cancellationToken);
        counters.DeadLetter();
    }
}
