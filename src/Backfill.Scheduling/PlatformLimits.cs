using System.Globalization;
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
    /// <param name="force">Allows a limit above the configured one.</param>
    /// <exception cref="ArgumentException">The limit does not fit the platform's lanes, or is above the configured one without <paramref name="force"/>; the message says why.</exception>
    public async Task<PlatformLimit> SetAsync(string platform, double? permitsPerSecond, bool force, string who, CancellationToken cancellationToken)
    {
        var configured = LanePlan.For(platforms.Get(platform).RateLimit);
        if (!configured.TryRetarget(permitsPerSecond, out _, out var problem) || (problem = AboveConfigured(platform, permitsPerSecond, configured.PermitsPerSecond, force)) is not null)
        {
            throw new ArgumentException(problem);
        }

        var forced = permitsPerSecond > configured.PermitsPerSecond;
        var reason = forced ? $"{who}, forced above the configured {Number(configured.PermitsPerSecond)}/s" : who;
        var message = ControlMessage.RateLimit(platform, permitsPerSecond, reason);
        await producer.ProduceAsync(connection.Topics.Control, new Message<string, byte[]> { Key = message.Key, Value = MessageCodec.Encode(message) }, cancellationToken);
        board.SetLiveLimit(platform, permitsPerSecond);
        Log.Changed(logger, platform, permitsPerSecond ?? configured.PermitsPerSecond, permitsPerSecond is null ? "configured" : "live", reason);
        return Get(platform);
    }

    /// <summary>
    /// Why <paramref name="permitsPerSecond"/> may not be set, or null. The configured limit is the rate the platform
    /// allows the partner key: a live limit is there to slow the fleet down, and going above it risks throttles and a
    /// ban for every shop of the key, so it takes <paramref name="force"/>.
    /// </summary>
    internal static string? AboveConfigured(string platform, double? permitsPerSecond, double configured, bool force) =>
        force || permitsPerSecond is not { } permits || permits <= configured
            ? null
            : $"a limit of {Number(permits)}/s is above the configured {Number(configured)}/s (Platforms:{platform}:RateLimit:PermitsPerSecond), the rate the platform " +
              $"allows this partner key; calls above it risk throttles and a ban for every shop. Raise the configured limit and restart, or set it anyway with " +
              $"'backfill limit {platform} {Number(permits)} --force' (\"force\": true)";

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Platform {Platform}: fleet limit {Limit}/s ({Which}) announced to every worker ({Who})")]
        public static partial void Changed(ILogger logger, string platform, double limit, string which, string who);
    }
}

/// <summary>A platform's limit: what the fleet keeps now, what is configured, and its lanes.</summary>
/// <param name="Live">True while a limit set at run time replaces the configured one.</param>
public sealed record PlatformLimit(string Platform, double PermitsPerSecond, double ConfiguredPermitsPerSecond, bool Live, int Lanes);
