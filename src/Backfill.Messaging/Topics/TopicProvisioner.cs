using Backfill.Messaging.Clients;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Backfill.Messaging.Topics;

/// <summary>
/// Makes sure the product's topics exist on a real cluster (admin CreateTopics). The embedded cluster creates
/// them itself; a shared <c>dev-kafka</c> creates them at start because the mock has no CreateTopics API.
/// </summary>
public static class TopicProvisioner
{
    /// <summary>Creates missing topics; returns the partition count of each topic as found.</summary>
    public static async Task<IReadOnlyDictionary<string, int>> EnsureAsync(KafkaClients clients, CancellationToken cancellationToken)
    {
        var connection = clients.Connection;
        var specs = connection.Topics.Specs(connection.Options.Partitions);
        using var admin = clients.CreateAdmin("backfill-admin");
        var existing = Partitions(admin);
        var missing = specs.Where(s => !existing.ContainsKey(s.Name)).ToList();
        if (missing.Count == 0 || connection.IsEmbedded)
        {
            return existing;
        }

        try
        {
            await admin.CreateTopicsAsync(missing.Select(s => new TopicSpecification
            {
                Name = s.Name,
                NumPartitions = s.Partitions,
                ReplicationFactor = connection.Options.ReplicationFactor,
                Configs = s.Compacted ? new Dictionary<string, string> { ["cleanup.policy"] = "compact" } : null,
            }));
        }
        catch (CreateTopicsException e) when (e.Results.All(r => r.Error.Code is ErrorCode.TopicAlreadyExists or ErrorCode.NoError))
        {
            // Another process created them first.
        }
        catch (KafkaException e)
        {
            throw new InvalidOperationException(
                $"Topics {string.Join(", ", missing.Select(m => m.Name))} do not exist on {connection.BootstrapServers} and could not be created ({e.Error.Reason}). " +
                $"Create them, or if this is `backfill dev-kafka`, start it with the same Kafka:Namespace ('{connection.Options.Namespace}').", e);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return Partitions(admin);
    }

    private static Dictionary<string, int> Partitions(IAdminClient admin) =>
        admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics
            .Where(t => t.Error.Code == ErrorCode.NoError)
            .ToDictionary(t => t.Topic, t => t.Partitions.Count);
}
