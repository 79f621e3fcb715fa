using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;

namespace Backfill.Server.Health;

/// <summary>Quartz runs: the release triggers and nightly runs fire.</summary>
internal sealed class QuartzStarted(ISchedulerFactory schedulers) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        var status = await scheduler.GetStatus(cancellationToken);
        return status == SchedulerStatus.Running
            ? HealthCheckResult.Healthy("Quartz runs")
            : HealthCheckResult.Unhealthy($"Quartz is {status}, not running: no release trigger fires");
    }
}
