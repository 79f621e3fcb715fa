namespace Backfill.Messaging;

/// <summary>Kafka settings (section <c>Kafka</c>).</summary>
public sealed class KafkaOptions
{
    /// <summary>Comma-separated brokers. Empty (the default) starts librdkafka's mock cluster in process.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>Prefix of every topic and consumer group, one per environment (R12). Default <c>backfill</c>.</summary>
    public string Namespace { get; set; } = "backfill";

    /// <summary>Brokers of the embedded mock cluster. Default 1.</summary>
    public int EmbeddedBrokers { get; set; } = 1;

    /// <summary>Partitions per topic when the product creates them.</summary>
    public TopicPartitionOptions Partitions { get; set; } = new();

    /// <summary>Replication factor when the product creates topics on a real cluster; −1 = the broker's default.</summary>
    public short ReplicationFactor { get; set; } = -1;

    /// <summary>Consumer group protocol: <c>classic</c> or <c>consumer</c> (KIP-848, Kafka 4.0+). Default <c>classic</c>; the embedded cluster uses <c>consumer</c>.</summary>
    public string GroupProtocol { get; set; } = "classic";

    /// <summary>Classic-protocol session timeout. Default 10 s.</summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Classic-protocol heartbeat interval. Default 3 s.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// The longest a worker may go between polls before Kafka evicts it. Default 5 minutes. Workers keep
    /// polling while a step runs, so this bounds nothing but a stuck process (R3).
    /// </summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a fetch waits for data. Default 100 ms (the mock cluster always waits this long on an empty fetch).</summary>
    public TimeSpan FetchWaitMax { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Extra librdkafka properties for every client (security.protocol, sasl.*, …).</summary>
    public Dictionary<string, string> Client { get; set; } = [];
}

/// <summary>Partition counts of the product's topics.</summary>
public sealed class TopicPartitionOptions
{
    /// <summary>Default 8: action keys are rate-limit lanes, and lanes map to partitions.</summary>
    public int Actions { get; set; } = 8;

    /// <summary>Default 8: records are keyed by their id, which spreads load (R8); the finance and returns topics have as many.</summary>
    public int Orders { get; set; } = 8;

    /// <summary>Default 4; keyed by job id so a job's progress stays in order.</summary>
    public int Progress { get; set; } = 4;

    /// <summary>Default 1.</summary>
    public int DeadLetters { get; set; } = 1;

    /// <summary>Default 1.</summary>
    public int Control { get; set; } = 1;
}
