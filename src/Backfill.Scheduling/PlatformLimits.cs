using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Platforms;
using Backfill.Platforms.Configuration;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Scheduling;

/// <summary>
/// Changes a platform's fleet-wide limit while everything runs. The new limit is checked against the platform's lanes
/// (they and their partitions stay), then announced on the compacted control topic, which every worker applies to its
/// budget at once and a worker that starts later reads first (docs/rate-budget.md, "Live limit").
/// </summary>
public sealed partial class PlatformLimits(
    IOptionsMonitor<PlatformOptions> platforms,
    IProducer<string, byte[]> producer,
    KafkaConnection connection,
    PlatformBoard board,
    ILogger<PlatformLimits> logger)
{
    /// <summary>The platform's limit as configured and as the fleet applies it now.</summary>
    public PlatformLimit Get(string platform)
    {
        var configured = LanePlan.For(platforms.Get(platform).RateLimit);
        var live = board.LiveLimit(platform);
        return new PlatformLimit(platform, live ?? configured.PermitsPerSecond, configured.PermitsPerSecond, live is not null, configured.Lanes);
    }

    /// <summary>Sets the fleet's limit (null: back to the configured one) once the control topic has it.</summary>
    /// <exception cref="ArgumentException">The limit does not fit the platform's lanes; the message says why.</exception>
    public async Task<PlatformLimit> SetAsync(string platform, double? permitsPerSecond, string who, CancellationToken cancellationToken)
    {
        var configured = LanePlan.For(platforms.Get(platform).RateLimit);
        if (!configured.TryRetarget(permitsPerSecond, out _, out var problem))
        {
            throw new ArgumentException(problem);
        }

        var message = ControlMessage.RateLimit(platform, permitsPerSecond, who);
        await producer.ProduceAsync(connection.Topics.Control, new Message<string, byte[]> { Key = message.Key, Value = MessageCodec.Encode(message) }, cancellationToken);
        board.SetLiveLimit(platform, permitsPerSecond);
        Log.Changed(logger, platform, permitsPerSecond ?? configured.PermitsPerSecond, permitsPerSecond is null ? "configured" : "live", who);
        return Get(platform);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Platform {Platform}: fleet limit {Limit}/s ({Which}) announced to every worker ({Who})")]
        public static partial void Changed(ILogger logger, string platform, double limit, string which, string who);
    }
}

/// <summary>A platform's limit: what the fleet keeps now, what is configured, and its lanes.</summary>
/// <param name="Live">True while a limit set at run time replaces the configured one.</param>
public sealed record PlatformLimit(string Platform, double PermitsPerSecond, double ConfiguredPermitsPerSecond, bool Live, int Lanes);
