using Backfill.Messaging.Clients;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Backfill.Worker;
using Confluent.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Hosting.Diagnostics;

/// <summary>
/// At start, once the topics exist: says plainly in the log when the action topic's partitions cap parallelism (R9),
/// fewer than a platform's budget lanes or, in a worker process, fewer than its consumers. It never stops the start.
/// </summary>
internal sealed partial class PartitionsStartupCheck(
    KafkaClients clients,
    IConfiguration configuration,
    IOptionsMonitor<PlatformOptions> platforms,
    IOptions<WorkerOptions> worker,
    BackfillRoles roles,
    ILogger<PartitionsStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var topic = clients.Connection.Topics.Actions;
        int partitions;
        try
        {
            using var admin = clients.CreateAdmin($"backfill-partitions-{Environment.ProcessId}");
            partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.SingleOrDefault(t => t.Topic == topic)?.Partitions.Count ?? 0;
        }
        catch (KafkaException e)
        {
            Log.NotChecked(logger, topic, e.Error.Reason);
            return Task.CompletedTask;
        }

        if (partitions == 0)
        {
            return Task.CompletedTask;
        }

        foreach (var platform in PlatformsConfiguration.Names(configuration))
        {
            int lanes;
            try
            {
                lanes = LanePlan.For(platforms.Get(platform).RateLimit).Lanes;
            }
            catch (Exception e) when (e is OptionsValidationException or ArgumentException)
            {
                // Invalid settings are refused at start with their own message.
                continue;
            }

            if (PartitionAdvice.Lanes(platform, lanes, topic, partitions) is { } advice)
            {
                Log.Capped(logger, advice);
            }
        }

        if (roles.HasFlag(BackfillRoles.Worker)
            && PartitionAdvice.Consumers(worker.Value.Concurrency, "run in this process (Worker:Concurrency)", topic, partitions) is { } idle)
        {
            Log.Capped(logger, idle);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Parallelism is capped: {Advice}")]
        public static partial void Capped(ILogger logger, string advice);

        [LoggerMessage(2, LogLevel.Warning, "Could not read the partitions of {Topic} to check them against lanes and consumers (R9): {Reason}")]
        public static partial void NotChecked(ILogger logger, string topic, string reason);
    }
}
