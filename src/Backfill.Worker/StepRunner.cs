using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Platforms;
using Confluent.Kafka;

namespace Backfill.Worker;

/// <summary>
/// Runs one step of a slice: at most K pages, each page's orders produced to the order topic, keyed by order id
/// (R8). Returns once its calls are over and its orders produced; <see cref="StepResult.Delivered"/> ends when they are
/// durable in Kafka. When <c>yield</c> is cancelled (the partition
/// is leaving this worker, or the job was cancelled) the step ends after the pages it has, without starting another
/// call; the caller decides whether a next step carries on from there.
/// </summary>
/// <param name="tokenWait">How long a call whose token was refused as expired waits for a newer one; zero when the fleet refreshes no tokens.</param>
internal sealed class StepRunner(IProducer<string, byte[]> producer, string ordersTopic, WorkerOptions options, TimeSpan tokenWait)
{
    /// <param name="ownership">The lease of the consumer that owns the action's partition: no call of the step starts while it is not held.</param>
    public async Task<StepResult> RunAsync(ActionMessage action, IOrderSource source, OwnershipLease ownership, CancellationToken yield, CancellationToken cancellationToken)
    {
        var deliveries = new Deliveries(producer);
        var cursor = action.Cursor;
        var more = true;
        var pages = 0;
        var orders = 0;
        var throttles = 0;
        var calls = 0;
        while (more && pages < options.PagesPerStep && !yield.IsCancellationRequested)
        {
            var request = new OrderPageRequest(action.Shop, action.From, action.To, cursor) { Lane = new LaneRef(action.Lane, action.Lanes), Yield = yield, Ownership = ownership, TokenWait = tokenWait };
            OrderPage page;
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
            foreach (var order in page.Orders)
            {
                var message = new OrderMessage
                {
                    Platform = action.Platform,
                    Shop = action.Shop,
                    OrderSn = order.OrderSn,
                    Status = order.Status,
                    CreateTime = order.CreateTime,
                    UpdateTime = order.UpdateTime,
                    TotalAmount = order.TotalAmount,
                    Currency = order.Currency,
                    Job = action.Job,
                    Slice = action.Slice,
                };
                deliveries.Produce(ordersTopic, new Message<string, byte[]> { Key = message.Key, Value = MessageCodec.Encode(message) });
            }

            orders += page.Orders.Count;
            pages++;
            more = page.More && !string.IsNullOrEmpty(page.NextCursor);
            cursor = page.NextCursor;
        }

        return new StepResult(pages, orders, more ? cursor : null, more, throttles, calls, deliveries.Acknowledged().WaitAsync(cancellationToken));
    }

    /// <summary>A throttle is not a failure of the step: the adapter has closed the platform's gate for the back-off and slowed the rate, so the page is asked again behind it, a bounded number of times.</summary>
    private async Task<(OrderPage Page, int Throttles)> FetchAsync(IOrderSource source, OrderPageRequest request, CancellationToken cancellationToken)
    {
        for (var throttles = 0; ; throttles++)
        {
            try
            {
                return (await source.FetchPageAsync(request, cancellationToken), throttles);
            }
            catch (PlatformException e) when (e.Kind == PlatformErrorKind.Throttle && throttles < options.ThrottleRetries)
            {
            }
        }
    }
}
