using Backfill.Messaging.Clients;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging.Abstractions;

namespace Backfill.Messaging.Tests.Clients;

/// <summary>Where topics begin and end, read from the embedded mock cluster.</summary>
[Trait("Category", "Integration")]
public sealed class WatermarksTests : IDisposable
{
    private readonly KafkaConnection _connection = KafkaConnection.Open(new KafkaOptions { Namespace = $"ends{Guid.NewGuid():N}" });
    private readonly KafkaClients _clients;

    public WatermarksTests() => _clients = new KafkaClients(_connection, new KafkaCounters(), NullLoggerFactory.Instance);

    public void Dispose() => _connection.Dispose();

    [Fact]
    public async Task EveryPartitionOfEveryTopic_EndsAfterTheMessagesWrittenToIt_AnEmptyOneAtZero()
    {
        var topics = _connection.Topics;
        var written = new Dictionary<TopicPartition, long>();
        using (var producer = _clients.CreateProducer("test"))
        {
            for (var i = 0; i < 40; i++)
            {
                var delivered = await producer.ProduceAsync(topics.Orders, new Message<string, byte[]> { Key = $"order-{i}", Value = [1] });
                written[delivered.TopicPartition] = written.GetValueOrDefault(delivered.TopicPartition) + 1;
            }
        }

        using var admin = _clients.CreateAdmin("test");
        var ends = await Watermarks.HighAsync(admin, [topics.Orders, topics.Returns], CancellationToken.None);

        var partitions = Watermarks.Partitions(admin, [topics.Orders, topics.Returns]);
        Assert.Equal(Sorted(partitions), Sorted(ends.Keys));
        Assert.Contains(partitions, p => p.Topic == topics.Returns);
        Assert.All(ends, e => Assert.Equal(written.GetValueOrDefault(e.Key), e.Value));
        Assert.Equal(40, ends.Values.Sum());
        Assert.Equal(ends.Where(e => e.Key.Topic == topics.Orders).ToDictionary(), Watermarks.High(_clients, topics.Orders));
        Assert.All(await Watermarks.OffsetsAsync(admin, partitions, OffsetSpec.Earliest(), CancellationToken.None), e => Assert.Equal(0, e.Value));
    }

    private static List<string> Sorted(IEnumerable<TopicPartition> partitions) => [.. partitions.Select(p => p.ToString()).Order(StringComparer.Ordinal)];

    [Fact]
    public async Task ATopicTheBrokerDoesNotHave_IsAKafkaError_NamingIt()
    {
        using var admin = _clients.CreateAdmin("test");

        var missing = await Assert.ThrowsAsync<KafkaException>(() => Watermarks.HighAsync(admin, [_connection.Topics.Orders, "nowhere.orders"], CancellationToken.None));

        Assert.Contains("nowhere.orders", missing.Message, StringComparison.Ordinal);
    }
}
