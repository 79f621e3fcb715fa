using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;

namespace Backfill.Messaging.Clients;

/// <summary>
/// Where this process's Kafka clients connect: the configured brokers, or an embedded mock cluster started
/// here when <c>Kafka:BootstrapServers</c> is empty. Owns the embedded cluster for the process's life.
/// </summary>
public sealed class KafkaConnection : IDisposable
{
    private readonly MockCluster? _embedded;

    private KafkaConnection(KafkaOptions options, string bootstrap, MockCluster? embedded)
    {
        Options = options;
        BootstrapServers = bootstrap;
        _embedded = embedded;
        Topics = new TopicNames(options.Namespace);
    }

    public KafkaOptions Options { get; }

    public string BootstrapServers { get; }

    public TopicNames Topics { get; }

    /// <summary>True when this process runs the mock cluster itself.</summary>
    public bool IsEmbedded => _embedded is not null;

    /// <summary>Connects to the configured brokers, or starts the embedded cluster with the product's topics.</summary>
    public static KafkaConnection Open(KafkaOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.BootstrapServers))
        {
            return new KafkaConnection(options, options.BootstrapServers.Trim(), embedded: null);
        }

        var cluster = MockCluster.Start(options.EmbeddedBrokers);
        try
        {
            cluster.CreateTopics(new TopicNames(options.Namespace).Specs(options.Partitions));
        }
        catch
        {
            cluster.Dispose();
            throw;
        }

        return new KafkaConnection(options, cluster.BootstrapServers, cluster);
    }

    public void Dispose() => _embedded?.Dispose();
}
