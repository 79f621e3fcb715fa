using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Backfill.Server.Metrics;

/// <summary><c>GET /metrics</c>: the scheduler's figures in Prometheus' text format, open to read like the other GET routes.</summary>
internal static class MetricsApi
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder app)
    {
        // One collector for the server's life (its caches must outlive a request), made on the first scrape so
        // building the server reads nothing.
        var collector = new Lazy<MetricsCollector>(() => ActivatorUtilities.CreateInstance<MetricsCollector>(app.ServiceProvider));
        app.ServiceProvider.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() =>
        {
            if (collector.IsValueCreated)
            {
                collector.Value.Dispose();
            }
        });
        app.MapGet("/metrics", async (HttpContext context, CancellationToken cancellationToken) =>
        {
            var snapshot = await collector.Value.CollectAsync(cancellationToken);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.Text(MetricsText.Write(snapshot), PrometheusText.ContentType);
        });
        return app;
    }
}
