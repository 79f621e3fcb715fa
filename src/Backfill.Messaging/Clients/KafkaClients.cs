using Confluent.Kafka;

namespace Backfill.Messaging.Clients;

/// <summary>Builds producers and consumers with the product's settings; the one place client config is written.</summary>
public sealed class KafkaClients(KafkaConnection connection)
{
    public KafkaConnection Connection => connection;

    /// <summary>
    /// An idempotent producer that waits for all in-sync replicas: a delivered message is durable, and a
    /// retried send does not duplicate it.
    /// </summary>
    public IProducer<string, byte[]> CreateProducer(string clientId)
    {
        var config = new ProducerConfig(Common(clientId))
        {
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            MessageTimeoutMs = 60_000,
        };
        return new ProducerBuilder<string, byte[]>(config).Build();
    }

    /// <summary>
    /// A consumer with manual commits and manual offset store: an offset moves only after the message ended in
    /// a decision (done, retried, dead-lettered — R6).
    /// </summary>
    public ConsumerBuilder<string, byte[]> ConsumerBuilder(string groupId, string clientId)
    {
        var options = connection.Options;
        var config = new ConsumerConfig(Common(clientId))
        {
            GroupId = groupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnablePartitionEof = true,
            MaxPollIntervalMs = (int)options.MaxPollInterval.TotalMilliseconds,
            FetchWaitMaxMs = (int)options.FetchWaitMax.TotalMilliseconds,
        };

        if (GroupProtocolOf(options) == "consumer")
        {
            config.Set("group.protocol", "consumer");
        }
        else
        {
            // Every member must list the same assignor: the mock cluster aborts on mixed ones.
            config.PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky;
            config.SessionTimeoutMs = (int)options.SessionTimeout.TotalMilliseconds;
            config.HeartbeatIntervalMs = (int)options.HeartbeatInterval.TotalMilliseconds;
        }

        return new ConsumerBuilder<string, byte[]>(config);
    }

    /// <summary>A client for metadata and watermarks.</summary>
    public IAdminClient CreateAdmin(string clientId) => new AdminClientBuilder(new AdminClientConfig(Common(clientId))).Build();

    private string GroupProtocolOf(KafkaOptions options) =>
        connection.IsEmbedded ? "consumer" : options.GroupProtocol.Trim().ToLowerInvariant();

    private ClientConfig Common(string clientId)
    {
        var config = new ClientConfig(new Dictionary<string, string>(connection.Options.Client))
        {
            BootstrapServers = connection.BootstrapServers,
            ClientId = clientId,
        };
        return config;
    }
}
