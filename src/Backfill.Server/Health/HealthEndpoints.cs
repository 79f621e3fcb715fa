using System.Text.Json;
using Backfill.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Backfill.Server.Health;

/// <summary>
/// <c>/healthz/live</c>: the process answers HTTP (a supervisor restarts it when not). <c>/healthz/ready</c> (and
/// <c>/healthz</c>): every check passes — Kafka reachable and every reader alive in any process; for the scheduler also
/// LiteDB writable and Quartz started — else 503 naming the failing checks. Both answer JSON: the overall status and
/// each check's status and description.
/// </summary>
internal static class HealthEndpoints
{
    private const string Ready = "ready";

    public static IServiceCollection AddBackfillHealth(this IServiceCollection services, BackfillRoles roles)
    {
        services.AddSingleton<KafkaReachable>();
        var checks = services.AddHealthChecks()
            .AddCheck<KafkaReachable>("kafka", tags: [Ready])
            .AddCheck<ReadersAlive>("readers", tags: [Ready]);
        if (roles.HasFlag(BackfillRoles.Scheduler))
        {
            checks.AddCheck<DatabaseWritable>("litedb", tags: [Ready]).AddCheck<QuartzStarted>("quartz", tags: [Ready]);
        }

        return services;
    }

    public static void MapBackfillHealth(this IEndpointRouteBuilder routes)
    {
        routes.MapHealthChecks("/healthz/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        var ready = new HealthCheckOptions { Predicate = c => c.Tags.Contains(Ready), ResponseWriter = WriteAsync };
        routes.MapHealthChecks("/healthz/ready", ready);
        routes.MapHealthChecks("/healthz", ready);
    }

    private static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new HealthBody(
            report.Status.ToString(),
            report.Entries.ToDictionary(e => e.Key, e => new HealthCheckBody(e.Value.Status.ToString(), e.Value.Description ?? "", Math.Round(e.Value.Duration.TotalMilliseconds))));
        return JsonSerializer.SerializeAsync(http.Response.Body, body, HealthJsonContext.Default.HealthBody, http.RequestAborted);
    }
}
