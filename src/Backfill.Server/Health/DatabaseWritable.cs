using Backfill.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Backfill.Server.Health;

/// <summary>The LiteDB file takes a write and has it on disk: jobs can be created and slices change state.</summary>
internal sealed class DatabaseWritable(BackfillDatabase database, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            database.Probe(time.GetUtcNow());
            return Task.FromResult(HealthCheckResult.Healthy($"{database.Path} took a write"));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"{database.Path} refused a write: {e.Message}"));
        }
    }
}
