using Backfill.Hosting;
using Backfill.Messaging.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Backfill.EndToEnd.Tests;

/// <summary>A real producer with its <c>ProduceAsync</c> watched or changed by a test; every other member is the producer's own.</summary>
internal abstract class DelegatingProducer(IProducer<string, byte[]> inner) : IProducer<string, byte[]>
{
    /// <summary>The scheduler's roles, with the producer the host would use given to <paramref name="wrap"/> with the action topic's name.</summary>
    public static IHost Scheduler(Harness harness, Func<IProducer<string, byte[]>, string, DelegatingProducer> wrap)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(harness.Configuration());
        builder.Services.AddBackfill(builder.Configuration, BackfillRoles.Scheduler);
        builder.Services.AddSingleton<IProducer<string, byte[]>>(sp => wrap(
            sp.GetRequiredService<KafkaClients>().CreateProducer("scheduler"),
            sp.GetRequiredService<KafkaConnection>().Topics.Actions));
        Harness.Logging(builder.Logging);
        return builder.Build();
    }

    public Handle Handle => inner.Handle;

    public string Name => inner.Name;

    public virtual Task<DeliveryResult<string, byte[]>> ProduceAsync(TopicPartition topicPartition, Message<string, byte[]> message, CancellationToken cancellationToken = default) =>
        inner.ProduceAsync(topicPartition, message, cancellationToken);

    public Task<DeliveryResult<string, byte[]>> ProduceAsync(string topic, Message<string, byte[]> message, CancellationToken cancellationToken = default) =>
        ProduceAsync(new TopicPartition(topic, Partition.Any), message, cancellationToken);

    public void Produce(string topic, Message<string, byte[]> message, Action<DeliveryReport<string, byte[]>>? deliveryHandler = null) => inner.Produce(topic, message, deliveryHandler);

    public void Produce(TopicPartition topicPartition, Message<string, byte[]> message, Action<DeliveryReport<string, byte[]>>? deliveryHandler = null) => inner.Produce(topicPartition, message, deliveryHandler);

    public int Poll(TimeSpan timeout) => inner.Poll(timeout);

    public int Flush(TimeSpan timeout) => inner.Flush(timeout);

    public void Flush(CancellationToken cancellationToken = default) => inner.Flush(cancellationToken);

    public int AddBrokers(string brokers) => inner.AddBrokers(brokers);

    public void SetSaslCredentials(string username, string password) => inner.SetSaslCredentials(username, password);

    public void InitTransactions(TimeSpan timeout) => inner.InitTransactions(timeout);

    public void BeginTransaction() => inner.BeginTransaction();

    public void CommitTransaction(TimeSpan timeout) => inner.CommitTransaction(timeout);

    public void CommitTransaction() => inner.CommitTransaction();

    public void AbortTransaction(TimeSpan timeout) => inner.AbortTransaction(timeout);

    public void AbortTransaction() => inner.AbortTransaction();

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout) =>
        inner.SendOffsetsToTransaction(offsets, groupMetadata, timeout);

    public void Dispose() => inner.Dispose();
}
