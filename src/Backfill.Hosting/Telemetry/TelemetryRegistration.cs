using Backfill.Core.Telemetry;
using Backfill.Messaging.Clients;
using Backfill.Platforms;
using Backfill.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Backfill.Hosting.Telemetry;

/// <summary>
/// The meter's instruments of the process's roles, always; and, only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, the
/// OpenTelemetry SDK exporting the <c>Backfill</c> traces and metrics over OTLP (the exporter's own <c>OTEL_*</c> settings
/// apply: protocol, headers, export interval). Without it nothing listens, so no activity is ever created.
/// </summary>
internal static class TelemetryRegistration
{
    /// <summary>The collector's address; set, every process exports to it.</summary>
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddBackfillTelemetry(this IServiceCollection services, IConfiguration configuration, BackfillRoles roles)
    {
        services.AddMetrics();
        if (roles.HasFlag(BackfillRoles.Scheduler))
        {
            services.AddSingleton<MetricsCollector>();
            services.AddSingleton<SchedulerMeter>();
        }

        if (roles.HasFlag(BackfillRoles.Worker))
        {
            // A process with a scheduler reports its Kafka outcomes among the scheduler's series.
            services.AddSingleton(sp => new WorkerMeter(
                sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
                sp.GetRequiredService<WorkerStats>(),
                sp.GetRequiredService<IOrderSources>(),
                sp.GetRequiredService<KafkaCounters>(),
                withKafka: !roles.HasFlag(BackfillRoles.Scheduler)));
        }

        services.AddHostedService<TelemetryLifetime>();
        if (string.IsNullOrWhiteSpace(configuration[EndpointKey]))
        {
            return services;
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r =>
            {
                // OTEL_SERVICE_NAME, when set, names the service; else the role does.
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                {
                    r.AddService(ServiceName(roles));
                }
            })
            .WithTracing(t => t.AddSource(BackfillTelemetry.Name).AddOtlpExporter())
            .WithMetrics(m => m.AddMeter(BackfillTelemetry.Name).AddOtlpExporter());

        // Log lines written inside a step or a release carry its trace and span ids (the JSON console log's scopes).
        services.Configure<LoggerFactoryOptions>(o => o.ActivityTrackingOptions |= ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        return services;
    }

    private static string ServiceName(BackfillRoles roles) => roles switch
    {
        BackfillRoles.Scheduler => "backfill-serve",
        BackfillRoles.Worker => "backfill-worker",
        _ => "backfill",
    };

    /// <summary>
    /// Creates the process's instruments when the host starts, so they report from the first collection; when the host
    /// stops, after the scheduler and the workers (registered after this, so stopped before), flushes the exporters: the
    /// last figures and spans go out while every service they read is still there (once the host's services are being
    /// disposed, nothing can be resolved).
    /// </summary>
    private sealed class TelemetryLifetime : IHostedService
    {
        private static readonly TimeSpan FlushLimit = TimeSpan.FromSeconds(5);

        private readonly IServiceProvider _services;

        public TelemetryLifetime(IServiceProvider services)
        {
            _services = services;
            services.GetService<SchedulerMeter>();
            services.GetService<WorkerMeter>();
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _services.GetService<TracerProvider>()?.ForceFlush((int)FlushLimit.TotalMilliseconds);
            _services.GetService<MeterProvider>()?.ForceFlush((int)FlushLimit.TotalMilliseconds);
            return Task.CompletedTask;
        }
    }
}
