using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Scheduling.Shops;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Scheduling;

/// <summary>
/// The scheduler's readers: progress into slice state, orders into the sink, the control topic's cool-offs into the
/// <see cref="PlatformBoard"/> and workers' refused tokens to the <see cref="ITokenRefreshRequests">refresher</see>; and the check for slices in flight nothing is heard of (<see cref="StuckSlices"/>). Re-arms the release triggers of unfinished jobs at start (LiteDB is the durable record),
/// after sending again the first steps of slices a killed predecessor marked released (<see cref="ReleaseService.ResendReleasedAsync"/>).
/// </summary>
public sealed partial class SchedulerService(
    KafkaClients clients,
    KafkaCounters counters,
    ProgressApplier progress,
    OrderStore orders,
    JobStore jobs,
    ReleaseTriggers triggers,
    ReleaseService releases,
    DeadLetters deadLetters,
    PlatformBoard board,
    StuckSlices stuck,
    ITokenRefreshRequests refreshes,
    TimeProvider time,
    ILogger<SchedulerService> logger) : BackgroundService
{
    public BatchConsumer ProgressReader { get; } = new(clients, counters, logger);

    public BatchConsumer SinkReader { get; } = new(clients, counters, logger);

    private BatchConsumer ControlReader { get; } = new(clients, counters, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await releases.ResendReleasedAsync(stoppingToken);
        }
        catch (KafkaException e)
        {
            Log.ResendFailed(logger, e.Message);
        }

        foreach (var job in jobs.ActiveJobs())
        {
            await triggers.ScheduleAsync(job, stoppingToken, replace: false);
        }

        var topics = clients.Connection.Topics;
        await Task.WhenAll(
            ProgressReader.RunEachAsync(topics.ProgressGroup, topics.Progress, m => Apply(m), stoppingToken, Park("progress")),
            SinkReader.RunAsync(topics.SinkGroup, topics.Orders, Save, stoppingToken, Park("sink")),
            ControlReader.RunAsync(topics.ControlGroup($"scheduler-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}"), topics.Control, Control, stoppingToken),
            stuck.RunAsync(stoppingToken));
    }

    /// <summary>A message the scheduler cannot read or apply is parked with why, never retried in a loop (R6).</summary>
    private Func<ConsumeResult<string, byte[]>, string, CancellationToken, Task> Park(string stage) =>
        (consumed, why, cancellationToken) => deadLetters.ParkAsync(consumed, stage, why, cancellationToken);

    private void Apply(ConsumeResult<string, byte[]> consumed) => progress.Apply(MessageCodec.Decode<ProgressMessage>(consumed.Message.Value));

    private void Save(IReadOnlyList<ConsumeResult<string, byte[]>> batch)
    {
        var documents = batch
            .Select(c => MessageCodec.Decode<OrderMessage>(c.Message.Value))
            .Select(o => new OrderDocument
            {
                Id = o.Key,
                Platform = o.Platform,
                Shop = o.Shop,
                ShopKey = $"{o.Platform}:{o.Shop}",
                OrderSn = o.OrderSn,
                Status = o.Status,
                CreateTime = o.CreateTime.ToUnixTimeSeconds(),
                UpdateTime = o.UpdateTime.ToUnixTimeSeconds(),
                TotalAmount = o.TotalAmount,
                Currency = o.Currency,
                JobId = o.Job,
                SliceId = o.Slice,
            })
            .ToList();
        orders.Upsert(documents, time.GetUtcNow());
    }

    private void Control(IReadOnlyList<ConsumeResult<string, byte[]>> batch)
    {
        foreach (var consumed in batch)
        {
            var message = MessageCodec.Decode<ControlMessage>(consumed.Message.Value);
            if (message is { Kind: ControlKind.CoolOff, Platform: { } platform, Until: { } until })
            {
                board.CoolOff(platform, until, message.Reason);
            }
            else if (message is { Kind: ControlKind.RateLimit, Platform: { } limited })
            {
                board.SetLiveLimit(limited, message.PermitsPerSecond);
            }
            else if (message is { Kind: ControlKind.TokenRefused, Platform: { } refusedPlatform, Shop: { } shop, TokenVersion: { } version })
            {
                // Read again from the topic's start after a restart: a refusal of a version since replaced is answered already.
                refreshes.RequestRefresh(refusedPlatform, shop, version);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(3, LogLevel.Error, "Could not send again the first steps of slices a previous scheduler marked released; they stay released until the next start: {Error}")]
        public static partial void ResendFailed(ILogger logger, string error);
    }
}
