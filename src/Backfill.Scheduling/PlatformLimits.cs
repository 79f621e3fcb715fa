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
/// Changes a platform's fleet-wide limit and safety margin while everything runs. The new pair is checked against the
/// platform's lanes (they and their partitions stay), then announced on the compacted control topic, which every worker
/// applies to its budget at once and a worker that starts later reads first (docs/rate-budget.md, "Live limit"). A
/// message carries both, the one not being changed as it is now: the topic keeps only the last message per platform.
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
        var options = platforms.Get(platform).RateLimit;
        var configured = LanePlan.For(options);
        var live = board.LiveLimit(platform);
        var liveMargin = board.LiveMargin(platform);
        return new PlatformLimit(platform, live ?? configured.PermitsPerSecond, configured.PermitsPerSecond, live is not null, configured.Lanes)
        {
            SafetyMargin = liveMargin ?? configured.SafetyMargin,
            ConfiguredSafetyMargin = configured.SafetyMargin,
            LiveMargin = liveMargin is not null,
            PerShopPermitsPerSecond = options.PerShopPermitsPerSecond,
            Counting = options.Counting,
            ArrivalJitter = options.Counting == RateLimitCounting.Arrival ? options.ArrivalJitter : TimeSpan.Zero,
        };
    }

    /// <summary>Sets the fleet's limit (null: back to the configured one) once the control topic has it; the safety margin stays as it is.</summary>
    /// <param name="force">Allows a limit above the configured one.</param>
    /// <exception cref="ArgumentException">The limit does not fit the platform's lanes, or is above the configured one without <paramref name="force"/>; the message says why.</exception>
    public Task<PlatformLimit> SetAsync(string platform, double? permitsPerSecond, bool force, string who, CancellationToken cancellationToken) =>
        SetAsync(platform, new LimitChange(Limit: new(permitsPerSecond), Margin: null, force), who, cancellationToken);

    /// <summary>Changes the fleet's limit, its safety margin or both (what the change leaves out stays as it is now) once the control topic has it.</summary>
    /// <exception cref="ArgumentException">The pair does not fit the platform's lanes, or the limit is above the configured one without force; the message says why.</exception>
    public async Task<PlatformLimit> SetAsync(string platform, LimitChange change, string who, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        var configured = LanePlan.For(platforms.Get(platform).RateLimit);
        var permitsPerSecond = change.Limit is { } limit ? limit.Value : board.LiveLimit(platform);
        var margin = change.Margin is { } newMargin ? newMargin.Value : board.LiveMargin(platform);
        // A limit kept as it is was allowed when it was set; only a new one must stay under the configured limit unless forced.
        if (!configured.TryRetarget(permitsPerSecond, margin, out _, out var problem)
            || (change.Limit is not null && (problem = AboveConfigured(platform, permitsPerSecond, configured.PermitsPerSecond, change.Force)) is not null))
        {
            throw new ArgumentException(problem);
        }

        var forced = change.Limit is not null && permitsPerSecond > configured.PermitsPerSecond;
        var reason = forced ? $"{who}, forced above the configured {Number(configured.PermitsPerSecond)}/s" : who;
        var message = ControlMessage.RateLimit(platform, permitsPerSecond, reason, margin);
        await producer.ProduceAsync(connection.Topics.Control, new Message<string, byte[]> { Key = message.Key, Value = MessageCodec.Encode(message) }, cancellationToken);
        board.SetLiveLimit(platform, permitsPerSecond, margin);
        Log.Changed(
            logger, platform, permitsPerSecond ?? configured.PermitsPerSecond, permitsPerSecond is null ? "configured" : "live",
            margin ?? configured.SafetyMargin, margin is null ? "configured" : "live", reason);
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
        [LoggerMessage(1, LogLevel.Warning, "Platform {Platform}: fleet limit {Limit}/s ({Which}), safety margin {Margin} ({WhichMargin}) announced to every worker ({Who})")]
        public static partial void Changed(ILogger logger, string platform, double limit, string which, double margin, string whichMargin, string who);
    }
}

/// <summary>A platform's limit: what the fleet keeps now, what is configured, and its lanes.</summary>
/// <param name="Live">True while a limit set at run time replaces the configured one.</param>
public sealed record PlatformLimit(string Platform, double PermitsPerSecond, double ConfiguredPermitsPerSecond, bool Live, int Lanes)
{
    /// <summary>The share of the limits left to the partner key's other clients now.</summary>
    public double SafetyMargin { get; init; }

    public double ConfiguredSafetyMargin { get; init; }

    /// <summary>True while a margin set at run time replaces the configured one.</summary>
    public bool LiveMargin { get; init; }

    /// <summary>The configured limit of one shop's calls, when the platform has one.</summary>
    public double? PerShopPermitsPerSecond { get; init; }

    /// <summary>Where in a call the platform counts it, as configured (<c>RateLimit:Counting</c>).</summary>
    public RateLimitCounting Counting { get; init; }

    /// <summary>The margin for the requests' delay when calls are counted on arrival; zero when strict.</summary>
    public TimeSpan ArrivalJitter { get; init; }
}

/// <summary>A change of a platform's live limit and safety margin: each either left out (null: stays as it is) or set to a value (whose null is back to the configured one).</summary>
/// <param name="Force">Allows a limit above the configured one.</param>
public sealed record LimitChange(LimitChange.Setting? Limit, LimitChange.Setting? Margin, bool Force = false)
{
    /// <summary>A new value; null: back to the configured one.</summary>
    public sealed record Setting(double? Value);
}
