using Backfill.Hosting.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Backfill.Server.Metrics;

/// <summary><c>GET /metrics</c>: the scheduler's figures in Prometheus' text format, open to read like the other GET routes.</summary>
internal static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        app.MapGet("/metrics", async (HttpContext context, MetricsCollector collector, CancellationToken cancellationToken) =>
        {
            var snapshot = await collector.CollectAsync(cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Text(MetricsText.Write(snapshot), PrometheusText.ContentType);
        });
        return app;
    }
}
