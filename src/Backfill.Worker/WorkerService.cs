using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Platforms;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Worker;

/// <summary>
/// Runs <see cref="WorkerOptions.Concurrency"/> worker consumers, each on a thread created once (R7); tells the fleet when
/// this process's breaker opens and applies the cool-offs the fleet announces; logs its lanes now and then.
/// </summary>
public sealed partial class WorkerService(
    KafkaClients clients,
    IProducer<string, byte[]> producer,
    IOrderSources sources,
    DeadLetters deadLetters,
    KafkaCounters counters,
    WorkerStats stats,
    IOptions<WorkerOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<WorkerService>();
    private readonly string _prefix = $"{Environment.MachineName}-{Environment.ProcessId}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        var topics = clients.Connection.Topics;
        var runner = new StepRunner(producer, topics.Orders, o);
        var handler = new ActionHandler(producer, clients.Connection, sources, runner, new StepLedger(), deadLetters, stats, time, loggers.CreateLogger<ActionHandler>());
        sources.CoolOffStarted += (platform, until) => Announce(platform, until);
        var consumers = Enumerable.Range(1, o.Concurrency).Select(i =>
        {
            var consumer = new WorkerConsumer($"{_prefix}-w{i}", clients, handler, deadLetters, counters, o, sources.HandOverHold, time, loggers.CreateLogger<WorkerConsumer>());
            return Task.Factory.StartNew(() => consumer.Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        });
        var control = new BatchConsumer(clients, counters, _logger)
            .RunAsync(topics.ControlGroup($"{_prefix}-{Guid.NewGuid():N}"), topics.Control, ApplyControl, stoppingToken);
        return Task.WhenAll([.. consumers, control, ReportLanesAsync(o.LaneReportEvery, stoppingToken)]);
    }

    private void Announce(string platform, DateTimeOffset until)
    {
        var message = ControlMessage.CoolOff(platform, until, $"breaker opened in worker {_prefix}");
        producer.Produce(clients.Connection.Topics.Control, new Message<string, byte[]> { Key = message.Key, Value = MessageCodec.Encode(message) }, report =>
        {
            if (report.Error.IsError)
            {
                Log.AnnounceFailed(_logger, platform, report.Error.Reason);
            }
        });
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
            else if (message is { Kind: ControlKind.RateLimit, Platform: { } limited } && sources.Names.Contains(limited, StringComparer.OrdinalIgnoreCase))
            {
                // The last limit on the compacted topic is the fleet's: a worker that starts later reads it too.
                if (sources.SetLimit(limited, message.PermitsPerSecond) is { } problem)
                {
                    Log.LimitRefused(_logger, limited, problem);
                }
                else
                {
                    Log.LimitChanged(_logger, limited, sources.Budget(limited).CallsPerSecond, message.PermitsPerSecond is null ? "configured" : "set while running", message.Reason ?? "");
                }
            }
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
                    var lanes = string.Join(", ", budget.Lanes.Select(l => $"{l.Lane}/{l.Lanes}: {l.CallsPerSecond:0.##}/s ({l.InWindow} in window)"));
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
        [LoggerMessage(1, LogLevel.Error, "Could not tell the fleet that platform {Platform} cools off: {Reason}")]
        public static partial void AnnounceFailed(ILogger logger, string platform, string reason);

        [LoggerMessage(2, LogLevel.Warning, "Malformed control message at {Position} skipped: {Error}")]
        public static partial void MalformedControl(ILogger logger, string position, string error);

        [LoggerMessage(3, LogLevel.Warning, "Platform {Platform} cools off until {Until:O}: no call of it starts here before then ({Reason})")]
        public static partial void CoolingOff(ILogger logger, string platform, DateTimeOffset until, string reason);

        [LoggerMessage(5, LogLevel.Warning, "Platform {Platform}: live limit {Limit}/s ({Which}) from now on ({Reason})")]
        public static partial void LimitChanged(ILogger logger, string platform, double limit, string which, string reason);

        [LoggerMessage(6, LogLevel.Error, "Platform {Platform}: a live limit from the control topic cannot apply here, the previous one stays: {Problem}")]
        public static partial void LimitRefused(ILogger logger, string platform, string problem);

        [LoggerMessage(4, LogLevel.Information, "Platform {Platform} at {Factor:P0} of its budget, {Throttles} throttle event(s); lanes here: [{Lanes}]; {Steps} steps done")]
        public static partial void Lanes(ILogger logger, string platform, double factor, long throttles, string lanes, long steps);
    }
}
