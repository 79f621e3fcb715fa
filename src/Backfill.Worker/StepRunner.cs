using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Messaging.Topics;
using Backfill.Platforms;
using Confluent.Kafka;

namespace Backfill.Worker;

/// <summary>
/// Runs one step of a slice: at most K pages, counted across the slice's phases (a phase that runs out of pages hands on
/// to the next phase's first page within the step), each page's records produced to their dataset's topic, keyed by
/// record id (R8). Returns once its calls are over and its records produced; <see cref="StepResult.Delivered"/> ends
/// when they are durable in Kafka. When <c>yield</c> is cancelled (the partition is leaving this worker, or the job was
/// cancelled) the step ends after the pages it has, without starting another call; the caller decides whether a next
/// step carries on from there.
/// </summary>
/// <param name="tokenWait">How long a call whose token was refused as expired waits for a newer one; zero when the fleet refreshes no tokens.</param>
internal sealed class StepRunner(IProducer<string, byte[]> producer, TopicNames topics, WorkerOptions options, TimeSpan tokenWait)
{
    /// <param name="ownership">The lease of the consumer that owns the action's partition: no call of the step starts while it is not held.</param>
    /// <param name="lending">The action's partition while it stays here: its lane's free places are lent to other lanes' calls in this process, and the step's calls may take theirs.</param>
    public async Task<StepResult> RunAsync(ActionMessage action, IOrderSource source, OwnershipLease ownership, LaneLending? lending, CancellationToken yield, CancellationToken cancellationToken)
    {
        var deliveries = new Deliveries(producer);
        var timeField = action.TimeField ?? source.TimeField;
        SliceCursor? at = SliceCursor.Parse(action.Cursor, action.Data);
        var pages = 0;
        var throttles = 0;
        var calls = 0;
        var callsByData = new Dictionary<string, int>();
        var recordsByData = new Dictionary<string, int>();
        while (at is { } cursor && pages < options.PagesPerStep && !yield.IsCancellationRequested)
        {
            var request = new PageRequest(action.Shop, action.From, action.To, cursor)
            {
                Data = action.Data,
                TimeField = timeField,
                Lane = new LaneRef(action.Lane, action.Lanes),
                Yield = yield,
                Ownership = ownership,
                Lending = lending,
                TokenWait = tokenWait,
                Caller = new CallerTurn(action.Job, FairShare.Weight(JobPriorityNames.TryParse(action.Priority, out var priority) ? priority : JobPriority.Normal)),
            };
            RecordPage page;
            int pageThrottles;
            try
            {
                (page, pageThrottles) = await FetchAsync(source, request, cancellationToken);
            }
            catch (OperationCanceledException) when (yield.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }

            throttles += pageThrottles;

            // A throttled call counts against the platform's limit like an answered one.
            calls += page.Calls + pageThrottles;
            foreach (var (dataset, count) in page.CallsByData)
            {
                Add(callsByData, dataset, count);
            }

            foreach (var record in page.Records)
            {
                var message = RecordMessage.Of(record.Json.Span, m => m with
                {
                    Platform = action.Platform,
                    Shop = action.Shop,
                    Dataset = record.Dataset,
                    Id = record.Id,
                    CreateTime = record.CreateTime,
                    UpdateTime = record.UpdateTime,
                    TimeField = timeField,
                    Job = action.Job,
                    Slice = action.Slice,
                });
                deliveries.Produce(topics.Records(record.Dataset), new Message<string, byte[]> { Key = message.Key, Value = MessageCodec.Encode(message) });
                Add(recordsByData, record.Dataset, 1);
            }

            pages++;
            at = page.More && !string.IsNullOrEmpty(page.NextPage) ? cursor with { Page = page.NextPage } : cursor.AfterPhase(action.Data);
        }

        return new StepResult(
            pages,
            recordsByData.GetValueOrDefault(DatasetNames.Name(Datasets.Orders)),
            at?.Encode(),
            at is not null,
            throttles,
            calls,
            callsByData,
            recordsByData,
            deliveries.Acknowledged().WaitAsync(cancellationToken));
    }

    private static void Add(Dictionary<string, int> counts, Datasets dataset, int count)
    {
        var name = DatasetNames.Name(dataset);
        counts[name] = counts.GetValueOrDefault(name) + count;
    }

    /// <summary>
    /// A throttle or a quota refusal is not a failure of the step: the platform's gate is closed for the back-off (the rate
    /// slowed) or until the quota resets, so the page is asked again behind it, a bounded number of times.
    /// </summary>
    private async Task<(RecordPage Page, int Throttles)> FetchAsync(IOrderSource source, PageRequest request, CancellationToken cancellationToken)
    {
        for (var throttles = 0; ; throttles++)
        {
            try
            {
                return (await source.FetchAsync(request, cancellationToken), throttles);
            }
            catch (PlatformException e) when (e.Kind is PlatformErrorKind.Throttle or PlatformErrorKind.Quota && throttles < options.ThrottleRetries)
            {
            }
        }
    }
}
