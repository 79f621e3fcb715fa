using Backfill.Messaging.Clients;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Backfill.Server.Health;

/// <summary>Every Kafka reader of the process (progress, sink, control) still reads: one that ended stalls its work silently.</summary>
internal sealed class ReadersAlive(KafkaCounters counters) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var ended = counters.EndedReaders;
        return Task.FromResult(ended.Count == 0
            ? HealthCheckResult.Healthy("every reader reads")
            : HealthCheckResult.Unhealthy(string.Join("; ", ended.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"the reader of {r.Key} ended: {r.Value}"))));
    }
}
