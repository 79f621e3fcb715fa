using Backfill.Messaging.Clients;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;
using Confluent.Kafka;

namespace Backfill.Messaging.Tests.Clients;

/// <summary>One task for a step's messages, on the embedded mock cluster.</summary>
[Trait("Category", "Integration")]
public sealed class DeliveriesTests : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    private readonly MockCluster _cluster = MockCluster.Start(1);
    private readonly TopicNames _topics = new($"deliveries{Guid.NewGuid():N}");
    private readonly IProducer<string, byte[]> _producer;

    public DeliveriesTests()
    {
        _cluster.CreateTopics(_topics.Specs(new TopicPartitionOptions()));
        _producer = new ProducerBuilder<string, byte[]>(new ProducerConfig
        {
            BootstrapServers = _cluster.BootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = false,
            MessageSendMaxRetries = 0,
            LingerMs = 5,
        }).Build();
    }

    [Fact]
    public async Task Acknowledged_EndsWhenEveryMessageIsDurable()
    {
        var deliveries = new Deliveries(_producer);
        for (var i = 0; i < 200; i++)
        {
            deliveries.Produce(_topics.Orders, Message(i));
        }

        await deliveries.Acknowledged().WaitAsync(Within);

        Assert.Equal(200, deliveries.Count);
        Assert.Equal(200, Stored(_topics.Orders));
    }

    [Fact]
    public async Task Acknowledged_NothingProduced_EndsAtOnce()
    {
        var deliveries = new Deliveries(_producer);

        await deliveries.Acknowledged().WaitAsync(TimeSpan.FromSeconds(1));

        Assert.Equal(0, deliveries.Count);
    }

    [Fact]
    public async Task Acknowledged_OneMessageRefusedByTheBroker_FailsWithItsError()
    {
        var deliveries = new Deliveries(_producer);
        deliveries.Produce(_topics.Orders, Message(0));
        await deliveries.Acknowledged().WaitAsync(Within);

        var failing = new Deliveries(_producer);
        _cluster.FailNextRequests(KafkaApi.Produce, ErrorCode.TopicAuthorizationFailed);
        failing.Produce(_topics.Orders, Message(1));
        var error = await Assert.ThrowsAsync<ProduceException<string, byte[]>>(() => failing.Acknowledged().WaitAsync(Within));

        Assert.Equal(ErrorCode.TopicAuthorizationFailed, error.Error.Code);
    }

    [Fact]
    public async Task Produce_RefusedAtOnce_ThrowsAndTheOthersStillEnd()
    {
        var deliveries = new Deliveries(_producer);
        deliveries.Produce(_topics.Orders, Message(0));

        Assert.Throws<ProduceException<string, byte[]>>(() => deliveries.Produce(_topics.Orders, new Message<string, byte[]> { Key = "big", Value = new byte[2_000_000] }));
        await deliveries.Acknowledged().WaitAsync(Within);
        Assert.Equal(1, deliveries.Count);
    }

    [Fact]
    public async Task Produce_AfterAcknowledgedWasAskedFor_IsRefused()
    {
        var deliveries = new Deliveries(_producer);
        await deliveries.Acknowledged();

        Assert.Throws<InvalidOperationException>(() => deliveries.Produce(_topics.Orders, Message(0)));
    }

    public void Dispose()
    {
        _producer.Dispose();
        _cluster.Dispose();
    }

    private static Message<string, byte[]> Message(int i) => new() { Key = $"k{i}", Value = [(byte)i] };

    private long Stored(string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = _cluster.BootstrapServers }).Build();
        using var consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig { BootstrapServers = _cluster.BootstrapServers, GroupId = "count" }).Build();
        var partitions = admin.GetMetadata(topic, Within).Topics.Single().Partitions;
        return partitions.Sum(p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p.PartitionId), Within).High.Value);
    }
}
