using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Core.Secrets;
using Backfill.Core.Shops;
using Backfill.Platforms;
using Backfill.Platforms.Tokens;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Worker;

/// <summary>
/// Runs <see cref="WorkerOptions.Concurrency"/> worker consumers, each on a thread created once (R7); tells the fleet when
/// this process meets a throttle, its breaker opens or a shop's token is refused as expired, and applies the throttles,
/// cool-offs, limits, job cancels and shop tokens the fleet announces; logs its lanes now and then.
/// </summary>
public sealed partial class WorkerService(
    KafkaClients clients,
    IProducer<string, byte[]> producer,
    IOrderSources sources,
    IShopTokens tokens,
    ShopTokenSeal seal,
    DeadLetters deadLetters,
    KafkaCounters counters,
    WorkerStats stats,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    /// <summary>How long steps wait at start for the control topic to be read to its end before they go ahead anyway.</summary>
    private static readonly TimeSpan ControlCatchUpLimit = TimeSpan.FromSeconds(30);

    /// <summary>How long a quota ask stays worth answering: a scheduler reading the control topic later skips older ones.</summary>
    private static readonly TimeSpan QuotaAskLife = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger = loggers.CreateLogger<WorkerService>();
    private readonly string _prefix = $"{Environment.MachineName}-{Environment.ProcessId}";

    // Several hosts may share a process (tests, in-process runs): each knows its own announcements by this.
    private readonly string _origin = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}";
    private readonly JobCancellations _cancellations = new();
    private int _tokensWithoutKey;

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var topics = clients.Connection.Topics;
        // Without a key no newer token can come: a refused one fails its slice at once.
        var runner = new StepRunner(producer, topics, o, seal.IsEnabled ? o.TokenWait : TimeSpan.Zero);
        var handler = new ActionHandler(producer, clients.Connection, sources, runner, new StepLedger(), _cancellations, deadLetters, stats, counters, _prefix, time, loggers.CreateLogger<ActionHandler>());
        sources.CoolOffStarted += (platform, until) => Announce(ControlMessage.CoolOff(platform, until, $"breaker opened in worker {_prefix}"));
        sources.Throttled += (platform, until) => Announce(ControlMessage.Throttle(platform, until, _origin, $"throttled in worker {_prefix}"));
        sources.TokenRefused += (platform, shop, version) => Announce(ControlMessage.TokenRefused(platform, shop, version, _origin, $"refused as expired in worker {_prefix}"));
        sources.QuotaWanted += (platform, want) => Announce(ControlMessage.QuotaAsk(platform, _origin, want, time.GetUtcNow() + QuotaAskLife, $"worker {_prefix}"));
        sources.QuotaRefused += (platform, until) => Announce(ControlMessage.QuotaSpent(platform, until, _origin, $"the platform refused a call for its quota in worker {_prefix}"));
        var session = clients.GroupSession;
        var lease = OwnershipLease.LengthFor(session.Timeout, session.HeartbeatInterval);
        var places = new StepPlaces(o.StepsPerPartition, () => sources.Names.Select(sources.Budget), time);
        var consumers = Enumerable.Range(1, o.Concurrency).Select(i =>
        {
            var consumer = new WorkerConsumer($"{_prefix}-w{i}", clients, handler, deadLetters, counters, o, places, sources.HandOverHold, lease, time, loggers.CreateLogger<WorkerConsumer>());
            return Task.Factory.StartNew(() => ReaderGuard.Run(counters, _logger, $"{topics.Actions} ({consumer.Name})", () => consumer.Run(stoppingToken), stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        });

        // A group of its own, new each start, reads the control topic from its beginning: earlier cancels and limits are heard too.
        var controlReader = new BatchConsumer(clients, counters, _logger);
        var control = controlReader.RunAsync(topics.ControlGroup($"{_prefix}-{Guid.NewGuid():N}"), topics.Control, ApplyControl, stoppingToken);
        return Task.WhenAll([.. consumers, control, CatchUpAsync(controlReader, topics.Control, stoppingToken), ReportLanesAsync(o.LaneReportEvery, stoppingToken)]);
    }

    private void Announce(ControlMessage message)
    {
        producer.Produce(clients.Connection.Topics.Control, new Message<string, byte[]> { Key = message.Key, Value = MessageCodec.Encode(message) }, report =>
        {
            if (report.Error.IsError)
            {
                Log.AnnounceFailed(_logger, message.Platform ?? "", message.Kind, report.Error.Reason);
            }
        });
    }

    /// <summary>Lets steps start once the control topic has been read up to where it stood at start.</summary>
    private async Task CatchUpAsync(BatchConsumer reader, string topic, CancellationToken stop)
    {
        try
        {
            Dictionary<TopicPartition, long> end;
            using (var admin = clients.CreateAdmin("backfill-watermarks"))
            {
                end = await Watermarks.HighAsync(admin, [topic], stop);
            }

            var started = time.GetTimestamp();
            while (!reader.HasReached(end))
            {
                if (time.GetElapsedTime(started) > ControlCatchUpLimit)
                {
                    Log.ControlBehind(_logger, topic, ControlCatchUpLimit.TotalSeconds, "not read to its end yet");
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(20), time, stop);
            }
        }
        catch (KafkaException e)
        {
            Log.ControlBehind(_logger, topic, 0, e.Error.Reason);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            _cancellations.MarkReady();
        }
    }

    private void ApplyControl(IReadOnlyList<ConsumeResult<string, byte[]>> batch)
    {
        foreach (var consumed in batch)
        {
            ControlMessage message;
            try
            {
                message = MessageCodec.Decode<ControlMessage>(consumed.Message.Value);
            }
            catch (MalformedMessageException e)
            {
                // Every process reads the control topic; parking it would park it once per process. Skipped, said.
                Log.MalformedControl(_logger, consumed.TopicPartitionOffset.ToString(), e.Message);
                continue;
            }

            if (message is { Kind: ControlKind.CoolOff, Platform: { } platform, Until: { } until } && until > time.GetUtcNow())
            {
                sources.CoolOff(platform, until);
                Log.CoolingOff(_logger, platform, until, message.Reason ?? "");
            }
            else if (message is { Kind: ControlKind.Throttle, Platform: { } throttled, Until: { } pausedUntil } && message.Process != _origin
                && sources.ThrottledElsewhere(throttled, pausedUntil))
            {
                Log.ThrottledElsewhere(_logger, throttled, pausedUntil, sources.Budget(throttled).Factor, message.Reason ?? "");
            }
            else if (message is { Kind: ControlKind.RateLimit, Platform: { } limited } && sources.Names.Contains(limited, StringComparer.OrdinalIgnoreCase))
            {
                // The last limit on the compacted topic is the fleet's: a worker that starts later reads it too.
                if (sources.SetLimit(limited, message.PermitsPerSecond, message.SafetyMargin) is { } problem)
                {
                    Log.LimitRefused(_logger, limited, problem);
                }
                else
                {
                    Log.LimitChanged(_logger, limited, sources.Budget(limited).CallsPerSecond, message.PermitsPerSecond is null ? "configured" : "set while running", message.Reason ?? "");
                }
            }
            else if (message is { Kind: ControlKind.QuotaGrant, Platform: { } granted, Process: { } to, Calls: { } calls, Until: { } end } && to == _origin)
            {
                sources.QuotaGranted(granted, end, calls);
            }
            else if (message is { Kind: ControlKind.QuotaSpent, Platform: { } spent, Until: { } resumes } && resumes > time.GetUtcNow()
                && sources.Names.Contains(spent, StringComparer.OrdinalIgnoreCase))
            {
                sources.CoolOff(spent, resumes);
                Log.QuotaSpent(_logger, spent, resumes, message.Reason ?? "");
            }
            else if (message is { Kind: ControlKind.JobState, Job: { } job, State: ControlMessage.Cancelled } && _cancellations.Cancel(job))
            {
                Log.JobCancelled(_logger, job);
            }
            else if (message is { Kind: ControlKind.Token, Platform: { } tokenPlatform, Shop: { } shop, TokenVersion: { } version, Sealed: { } sealedToken }
                && sources.Names.Contains(tokenPlatform, StringComparer.OrdinalIgnoreCase))
            {
                TakeToken(tokenPlatform, shop, version, sealedToken, message.Until);
            }
        }
    }

    /// <summary>A shop's newer token, opened with the fleet's key; one that does not open is said (never what it holds) and left.</summary>
    private void TakeToken(string platform, string shop, long version, string sealedToken, DateTimeOffset? expiresAt)
    {
        if (!seal.IsEnabled)
        {
            if (Interlocked.Exchange(ref _tokensWithoutKey, 1) == 0)
            {
                Log.TokenWithoutKey(_logger, platform, shop, SecretBox.ConfigurationKey);
            }

            return;
        }

        string token;
        try
        {
            token = seal.OpenAccess(platform, shop, version, Convert.FromBase64String(sealedToken));
        }
        catch (Exception e) when (e is SecretBoxException or FormatException)
        {
            Log.TokenNotOpened(_logger, platform, shop, version, e is FormatException ? "it is not base64" : e.Message);
            return;
        }

        if (tokens.Offer(platform, shop, new ShopToken(token, version, expiresAt)))
        {
            Log.TokenTaken(_logger, platform, shop, version, expiresAt);
        }
    }

    private async Task ReportLanesAsync(TimeSpan every, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(every, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                foreach (var budget in sources.Names.Select(sources.Budget).Where(b => b.Lanes.Count > 0 || b.Throttles > 0))
                {
                    var lanes = string.Join(", ", budget.Lanes.Select(l => $"{l.Lane}/{l.Lanes}: {l.CallsPerSecond:0.##}/s ({l.InWindow} in window, {l.Latency.TotalMilliseconds:0} ms)"));
                    Log.Lanes(_logger, budget.Platform, budget.Factor, budget.Throttles, lanes, stats.Steps);
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Could not tell the fleet about platform {Platform} ({Kind}): {Reason}")]
        public static partial void AnnounceFailed(ILogger logger, string platform, ControlKind kind, string reason);

        [LoggerMessage(2, LogLevel.Warning, "Malformed control message at {Position} skipped: {Error}")]
        public static partial void MalformedControl(ILogger logger, string position, string error);

        [LoggerMessage(3, LogLevel.Warning, "Platform {Platform} cools off until {Until:O}: no call of it starts here before then ({Reason})")]
        public static partial void CoolingOff(ILogger logger, string platform, DateTimeOffset until, string reason);

        [LoggerMessage(5, LogLevel.Warning, "Platform {Platform}: live limit {Limit}/s ({Which}) from now on ({Reason})")]
        public static partial void LimitChanged(ILogger logger, string platform, double limit, string which, string reason);

        [LoggerMessage(6, LogLevel.Error, "Platform {Platform}: a live limit from the control topic cannot apply here, the previous one stays: {Problem}")]
        public static partial void LimitRefused(ILogger logger, string platform, string problem);

        [LoggerMessage(7, LogLevel.Information, "Job {Job} is cancelled: its steps here stop before their next page, and none of it starts")]
        public static partial void JobCancelled(ILogger logger, string job);

        [LoggerMessage(8, LogLevel.Warning, "Control topic {Topic} not caught up at start ({Seconds} s: {Reason}); steps start anyway, a cancel or live limit announced earlier may be heard late")]
        public static partial void ControlBehind(ILogger logger, string topic, double seconds, string reason);

        [LoggerMessage(9, LogLevel.Warning, "Platform {Platform} throttled another worker: no call of it starts here before {Until:O}, then at {Factor:P0} of the budget ({Reason})")]
        public static partial void ThrottledElsewhere(ILogger logger, string platform, DateTimeOffset until, double factor, string reason);

        [LoggerMessage(10, LogLevel.Information, "Platform {Platform}: shop {Shop}'s access token version {Version} taken (expires {ExpiresAt:O}); calls sign with it from their next attempt")]
        public static partial void TokenTaken(ILogger logger, string platform, string shop, long version, DateTimeOffset? expiresAt);

        [LoggerMessage(11, LogLevel.Error, "Platform {Platform}: shop {Shop}'s access token version {Version} from the control topic could not be opened and is ignored: {Reason}; every process of the fleet needs the same Backfill:SecretKey")]
        public static partial void TokenNotOpened(ILogger logger, string platform, string shop, long version, string reason);

        [LoggerMessage(12, LogLevel.Warning, "Platform {Platform}: the scheduler announces shop tokens (shop {Shop} first) but this worker has no {Key}: it keeps its configured tokens; give every process the same key")]
        public static partial void TokenWithoutKey(ILogger logger, string platform, string shop, string key);

        [LoggerMessage(13, LogLevel.Warning, "Platform {Platform}: quota spent, no call of it until {Until:O} ({Reason})")]
        public static partial void QuotaSpent(ILogger logger, string platform, DateTimeOffset until, string reason);

        [LoggerMessage(4, LogLevel.Information, "Platform {Platform} at {Factor:P0} of its budget, {Throttles} throttle event(s); lanes here: [{Lanes}]; {Steps} steps done")]
        public static partial void Lanes(ILogger logger, string platform, double factor, long throttles, string lanes, long steps);
    }
}
