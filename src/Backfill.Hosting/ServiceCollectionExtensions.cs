using Backfill.Core.Secrets;
using Backfill.Core.Shops;
using Backfill.Hosting.Diagnostics;
using Backfill.Hosting.Telemetry;
using Backfill.Messaging;
using Backfill.Messaging.Clients;
using Backfill.Platforms;
using Backfill.Platforms.Quotas;
using Backfill.Scheduling;
using Backfill.Scheduling.Alerts;
using Backfill.Scheduling.Nightly;
using Backfill.Scheduling.Quotas;
using Backfill.Scheduling.Retention;
using Backfill.Scheduling.Shops;
using Backfill.Storage;
using Backfill.Storage.Records;
using Backfill.Worker;
using BackfillOptions = Backfill.Scheduling.BackfillOptions;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Quartz;

namespace Backfill.Hosting;

/// <summary>The one wiring method, used by every host and by the tests.</summary>
public static class ServiceCollectionExtensions
{
    public static IServiceCollection AddBackfill(this IServiceCollection services, IConfiguration configuration, BackfillRoles roles)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = HostStop.Timeout(configuration, roles));
        services.AddOptions<KafkaOptions>().Bind(configuration.GetSection("Kafka"));
        services.AddOptions<BackfillOptions>().Bind(configuration.GetSection("Backfill"));
        services.AddOptions<WorkerOptions>().Bind(configuration.GetSection("Worker"));

        services.AddSingleton(sp => KafkaConnection.Open(sp.GetRequiredService<IOptions<KafkaOptions>>().Value));
        services.AddSingleton<KafkaCounters>();
        services.AddSingleton<KafkaClients>();
        services.AddSingleton(sp => sp.GetRequiredService<KafkaClients>().CreateProducer($"backfill-{Environment.ProcessId}"));
        services.AddSingleton<DeadLetters>();
        services.AddSingleton(_ => ShopTokenSeal.From(configuration[SecretBox.ConfigurationKey]));
        services.AddHostedService<TopicsStartup>();
        services.AddHostedService<ReaderWatch>();
        services.AddHostedService(sp => ActivatorUtilities.CreateInstance<PartitionsStartupCheck>(sp, configuration, roles));
        services.AddBackfillTelemetry(configuration, roles);

        if (roles.HasFlag(BackfillRoles.Worker))
        {
            services.AddPlatforms(configuration);
            services.AddSingleton<WorkerStats>();
            services.AddHostedService<WorkerService>();
        }

        if (roles.HasFlag(BackfillRoles.Scheduler))
        {
            // First, so its hosted service stops after the scheduler's: what they raise while stopping still goes out.
            services.AddAlerts(configuration);

            // The platforms' options, and their clients for the token refresh (shared with the workers in one process).
            services.AddTokenRefresh(configuration);
            services.AddSingleton<ActionTopic>();
            // Only configured platforms have quotas to show (their options are validated; another name's are not).
            var configured = configuration.GetSection("Platforms").GetChildren().Select(c => c.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
            services.AddSingleton(sp => new PlatformBoard(
                sp.GetRequiredService<TimeProvider>(),
                sp.GetService<Microsoft.Extensions.Logging.ILogger<PlatformBoard>>(),
                platform => configured.Contains(platform) ? sp.GetRequiredService<QuotaGrants>().Use(platform) : [],
                platform => configured.Contains(platform) ? sp.GetRequiredService<IOptionsMonitor<Backfill.Platforms.Configuration.PlatformOptions>>().Get(platform).RateLimit.SafetyMargin : null,
                sp.GetService<IAlerts>()));
            services.AddSingleton<PlatformLimits>();
            services.AddSingleton(sp => new BackfillDatabase(sp.GetRequiredService<IOptions<BackfillOptions>>().Value.DatabasePath));
            services.AddSingleton<JobStore>();
            services.AddSingleton<RecordStore>();
            services.AddSingleton<ReleaseService>();
            services.AddSingleton<RecordTopicEnds>();
            services.AddSingleton<ReleaseTriggers>();
            services.AddSingleton<ShopStore>();
            services.AddSingleton<QuotaStore>();
            services.AddSingleton<QuotaGrants>();
            services.AddSingleton<IQuotaReserve>(sp => sp.GetRequiredService<QuotaGrants>());
            services.AddSingleton<AccessTokenAnnouncer>();
            services.AddSingleton<TokenRefreshQueue>();
            services.TryAddSingleton<ITokenRefreshRequests>(sp => sp.GetRequiredService<TokenRefreshQueue>());
            services.AddSingleton<ShopRegistry>();

            // Seeded before the refresher and the scheduler start, so both meet the registry of this configuration.
            services.AddHostedService(sp => sp.GetRequiredService<ShopRegistry>());
            services.AddSingleton<TokenRefreshCounters>();
            services.AddSingleton<TokenRefresher>();
            services.AddHostedService(sp => sp.GetRequiredService<TokenRefresher>());
            services.TryAddSingleton<IShopDirectory>(sp => new RegisteredShops(configuration, sp.GetRequiredService<ShopStore>()));
            services.AddSingleton<JobPlanner>();
            services.AddSingleton<JobControl>();
            services.AddSingleton<ProgressApplier>();
            services.AddSingleton<StuckSlices>();
            services.AddSingleton<SchedulerService>();
            services.AddHostedService(sp => sp.GetRequiredService<SchedulerService>());
            services.AddSingleton<SinkProgress>();
            services.AddHostedService(sp => sp.GetRequiredService<SinkProgress>());
            if (!roles.HasFlag(BackfillRoles.Worker))
            {
                // Nightly runs and retention belong to the long-running scheduler (serve), not to the one-job runs of demo and run.
                services.AddNightlyRuns(configuration);
                services.AddSingleton<RetentionService>();
                services.AddHostedService(sp => sp.GetRequiredService<RetentionService>());
            }

            // Quartz keeps schedulers in a process-wide repository by name: each host gets its own.
            var quartz = new System.Collections.Specialized.NameValueCollection { ["quartz.scheduler.instanceName"] = $"backfill-release-{Guid.NewGuid():N}" };
            services.AddQuartz(quartz, q =>
            {
                q.UseInMemoryStore();
                q.UseDefaultThreadPool(tp => tp.MaxConcurrency = 2);
            });
            services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        }

        return services;
    }

    /// <summary>Flushes what the shared producer still holds when the host stops.</summary>
    public static void FlushProducer(this IServiceProvider services, TimeSpan timeout) =>
        services.GetRequiredService<IProducer<string, byte[]>>().Flush(timeout);
}
