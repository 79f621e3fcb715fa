using System.Net;
using System.Text.Json;
using Backfill.Messaging;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Backfill.Server.Tests.Health;

/// <summary>What the health tests share: a server on a Kafka cluster of the test's own, and a health endpoint's answer.</summary>
internal static class HealthProbe
{
    /// <summary>A server on a mock cluster the test can break (brokers down, a topic refusing writes).</summary>
    public static async Task<(ServerHarness Harness, MockCluster Cluster)> StartOnOwnClusterAsync(ILoggerProvider? logs = null, Action<IServiceCollection>? services = null)
    {
        var cluster = MockCluster.Start();
        cluster.CreateTopics(new TopicNames("srv").Specs(new TopicPartitionOptions { Actions = 4, Orders = 4, Progress = 2 }));
        var harness = await ServerHarness.StartAsync(
            settings: new Dictionary<string, string?> { ["Kafka:BootstrapServers"] = cluster.BootstrapServers, ["Kafka:GroupProtocol"] = "consumer" },
            services: services,
            logs: logs);
        return (harness, cluster);
    }

    /// <summary>The status and JSON body of <paramref name="path"/>.</summary>
    public static async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (response.StatusCode, json.RootElement.Clone());
    }
}
