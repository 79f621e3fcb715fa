using Backfill.Messaging.Embedded;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Backfill.Messaging.Clients;

/// <summary>Builds producers and consumers with the product's settings; the one place client config is written.</summary>
public sealed partial class KafkaClients(KafkaConnection connection, KafkaCounters counters, ILoggerFactory loggers)
{
    private readonly ILogger _logger = loggers.CreateLogger("Backfill.Kafka");

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
        return new ProducerBuilder<string, byte[]>(config)
            .SetLogHandler((_, m) => OnLog(m))
            .SetErrorHandler((p, e) => OnError(p.Name, e))
            .Build();
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

        return new ConsumerBuilder<string, byte[]>(config)
            .SetLogHandler((_, m) => OnLog(m))
            .SetErrorHandler((c, e) => OnError(c.Name, e));
    }

    /// <summary>
    /// How long a member of this process's groups keeps its partitions after its last heartbeat, and how often it
    /// heartbeats. Classic protocol: <see cref="KafkaOptions.SessionTimeout"/> and <see cref="KafkaOptions.HeartbeatInterval"/>.
    /// KIP-848: the broker sets both and does not tell the client; these are then the embedded and dev cluster's, the
    /// shortest the product runs with (a Kafka 4 broker's are 45 s and 5 s unless lowered).
    /// </summary>
    public GroupSession GroupSession => GroupProtocolOf(connection.Options) == "consumer"
        ? new GroupSession(MockCluster.ConsumerSessionTimeout, MockCluster.ConsumerHeartbeatInterval)
        : new GroupSession(connection.Options.SessionTimeout, connection.Options.HeartbeatInterval);

    /// <summary>A client for metadata and watermarks.</summary>
    public IAdminClient CreateAdmin(string clientId) => new AdminClientBuilder(new AdminClientConfig(Common(clientId)))
        .SetLogHandler((_, m) => OnLog(m))
        .Build();

    private void OnLog(LogMessage message)
    {
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical or SyslogLevel.Error => LogLevel.Error,
            SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        Log.Librdkafka(_logger, level, message.Name, message.Facility, message.Message);
    }

    private void OnError(string client, Error error)
    {
        if (error.Code == ErrorCode.Local_MaxPollExceeded)
        {
            // Kafka evicted this member: what seed 004 never noticed (R3).
            counters.Evicted();
            Log.Evicted(_logger, client, error.Reason);
            return;
        }

        Log.ClientError(_logger, error.IsFatal ? LogLevel.Critical : LogLevel.Warning, client, error.Code, error.Reason);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Message = "{Client} [{Facility}] {Message}")]
        public static partial void Librdkafka(ILogger logger, LogLevel level, string client, string facility, string message);

        [LoggerMessage(2, LogLevel.Error, "{Client} was EVICTED from its consumer group: {Reason}. Its uncommitted work will be redone by another member.")]
        public static partial void Evicted(ILogger logger, string client, string reason);

        [LoggerMessage(EventId = 3, Message = "{Client}: {Code} {Reason}")]
        public static partial void ClientError(ILogger logger, LogLevel level, string client, ErrorCode code, string reason);
    }

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
