using System.Diagnostics;
using Backfill.Core.Data;
using Backfill.Core.Telemetry;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Scheduling.Quotas;
using Backfill.Scheduling.Shops;
using Backfill.Storage;
using Backfill.Storage.Records;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Scheduling;

/// <summary>
/// The scheduler's readers: progress into slice state, records (orders, finance, returns) into the sink, the control topic's cool-offs into the
/// <see cref="PlatformBoard"/> workers' refused tokens to the <see cref="ITokenRefreshRequests">refresher</see> and their quota asks to <see cref="QuotaGrants"/>; and the check for slices in flight nothing is heard of (<see cref="StuckSlices"/>). Re-arms the release triggers of unfinished jobs at start (LiteDB is the durable record),
/// after sending again the first steps of slices a killed predecessor marked released (<see cref="ReleaseService.ResendReleasedAsync"/>).
/// </summary>
public sealed partial class SchedulerService(
    KafkaClients clients,
    KafkaCounters counters,
    ProgressApplier progress,
    RecordStore records,
    JobStore jobs,
    ReleaseTriggers triggers,
    ReleaseService releases,
    DeadLetters deadLetters,
    PlatformBoard board,
    StuckSlices stuck,
    ITokenRefreshRequests refreshes,
    QuotaGrants quotas,
    TimeProvider time,
    ILogger<SchedulerService> logger) : BackgroundService
{
    public BatchConsumer ProgressReader { get; } = new(clients, counters, logger) { Contiguous = true };

    /// <summary>Reads the data topics into the sink; records it finds gone are kept for the jobs whose they may have been (<see cref="SinkProgress"/>).</summary>
    public BatchConsumer SinkReader { get; } = new(clients, counters, logger)
    {
        Contiguous = true,
        OnLost = (partition, from, to) => records.Lost(new LostRange(partition.Topic, partition.Partition.Value, from, to), time.GetUtcNow()),
    };

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
            ProgressReader.RunAsync(topics.ProgressGroup, topics.Progress, Apply, stoppingToken, Park("progress")),
            SinkReader.RunAsync(topics.SinkGroup, [.. DatasetNames.All.Select(topics.Records)], Save, stoppingToken, Park("sink")),
            ControlReader.RunAsync(topics.ControlGroup($"scheduler-{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid():N}"), topics.Control, Control, stoppingToken),
            stuck.RunAsync(stoppingToken));
    }

    /// <summary>A message the scheduler cannot read or apply is parked with why, never retried in a loop (R6).</summary>
    private Func<ConsumeResult<string, byte[]>, string, CancellationToken, Task> Park(string stage) =>
        (consumed, why, cancellationToken) => deadLetters.ParkAsync(consumed, stage, why, cancellationToken);

    /// <summary>
    /// Applies a batch of reports in one transaction. A report that cannot be read or applied fails the whole batch,
    /// which the reader then hands over one report at a time, parking only that one (nothing of the failed batch was kept).
    /// </summary>
    private void Apply(IReadOnlyList<ConsumeResult<string, byte[]>> batch) => progress.Apply([.. batch.Select(consumed => (
        MessageCodec.Decode<ProgressMessage>(consumed.Message.Value),
        BackfillTelemetry.Source.HasListeners() ? TraceHeaders.Parent(consumed.Message.Headers) : default(ActivityContext)))]);

    /// <summary>
    /// Saves a batch of records of any dataset. A message that is not a record of this version (an order of version 1, a
    /// record whose dataset is not its topic's) throws, and the reader parks it with why, the others of its batch saved.
    /// </summary>
    private void Save(IReadOnlyList<ConsumeResult<string, byte[]>> batch)
    {
        var topics = clients.Connection.Topics;
        var documents = batch
            .Select(c => (Topic: c.Topic, Message: MessageCodec.Decode<RecordMessage>(c.Message.Value)))
            .Select(r => topics.DatasetOf(r.Topic) is { } dataset && dataset != r.Message.Dataset
                ? throw new MalformedMessageException($"record {r.Message.Key} of dataset {DatasetNames.Name(r.Message.Dataset)} came on {r.Topic}, the topic of {DatasetNames.Name(dataset)}")
                : (r.Message.Dataset, Document(r.Message)))
            .ToList();
        records.Upsert(documents, time.GetUtcNow());
    }

    private static RecordDocument Document(RecordMessage m)
    {
        var document = RecordDocument.Of(m.RecordJson());
        document.Id = m.Key;
        document.Platform = m.Platform;
        document.Shop = m.Shop;
        document.ShopKey = $"{m.Platform}:{m.Shop}";
        document.RecordId = m.Id;
        document.CreateTime = m.CreateTime?.ToUnixTimeSeconds() ?? 0;
        document.UpdateTime = m.UpdateTime?.ToUnixTimeSeconds() ?? 0;
        document.JobId = m.Job;
        document.SliceId = m.Slice;
        return document;
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
                board.SetLiveLimit(limited, message.PermitsPerSecond, message.SafetyMargin);
            }
            else if (message is { Kind: ControlKind.QuotaAsk, Platform: { } asking, Process: { } process, Calls: { } want, Until: { } stale } && stale > time.GetUtcNow())
            {
                // Read again from the topic's start after a restart: an ask past its time was answered, or its asker is gone.
                quotas.Ask(asking, process, want);
            }
            else if (message is { Kind: ControlKind.QuotaSpent, Platform: { } spent, Until: { } resumes, Process: not null } && resumes > time.GetUtcNow())
            {
                // A worker's word that the platform refused for its quota; the scheduler's own announcements carry no process.
                quotas.Refused(spent, resumes);
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
