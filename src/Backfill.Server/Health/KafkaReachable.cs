using Backfill.Messaging.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Backfill.Server.Health;

/// <summary>Kafka answers a metadata request within <see cref="Deadline"/>: the scheduler can release, read progress and sink orders.</summary>
internal sealed class KafkaReachable(KafkaClients clients) : IHealthCheck, IDisposable
{
    internal static readonly TimeSpan Deadline = TimeSpan.FromSeconds(3);

    private readonly Lazy<ClusterProbe> _probe = new(() => new ClusterProbe(clients, Deadline));

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            // librdkafka's metadata request blocks its caller until the answer or the deadline.
            var brokers = await Task.Run(() => _probe.Value.Metadata().Brokers, cancellationToken);
            return HealthCheckResult.Healthy($"{brokers} broker(s) answered");
        }
        catch (KafkaException e)
        {
            return HealthCheckResult.Unhealthy($"Kafka did not answer a metadata request within {Deadline.TotalSeconds:0} s: {e.Error.Reason}");
        }
    }

    public void Dispose()
    {
        if (_probe.IsValueCreated)
        {
            _probe.Value.Dispose();
        }
    }
}
