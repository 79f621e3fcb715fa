using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Refit;

namespace Backfill.Platforms.Shopee;

/// <summary>
/// Orders of a Shopee-shaped platform: one list call per page, then the details in batches of 50. Every call is admitted
/// by the platform's <see cref="PlatformBudget"/> in its lane (and shop) window.
/// </summary>
internal sealed partial class ShopeeOrderSource : IOrderSource
{
    internal const int DetailBatchSize = 50;
    private const string DetailFields = "total_amount";

    private static readonly ResiliencePropertyKey<LaneRef> LaneKey = new("backfill.lane");
    private static readonly ResiliencePropertyKey<string> ShopKey = new("backfill.shop");
    private static readonly ResiliencePropertyKey<CancellationToken> YieldKey = new("backfill.yield");
    private static readonly ResiliencePropertyKey<OwnershipLease?> OwnershipKey = new("backfill.ownership");

    private readonly PlatformOptions _options;
    private readonly IShopeeApi _api;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PlatformBudget _budget;
    private readonly ResiliencePipeline _pipeline;
    private readonly PlatformCounters _counters = new();
    private readonly string[] _secrets;

    public ShopeeOrderSource(string platform, PlatformOptions options, IShopeeApi api, TimeProvider time, ILogger<ShopeeOrderSource> logger)
    {
        Platform = platform;
        _options = options;
        _api = api;
        _time = time;
        _logger = logger;
        _secrets = [options.PartnerKey, .. options.Shops.Values.Select(s => s.AccessToken)];
        _budget = new PlatformBudget(platform, options.RateLimit, time);
        _pipeline = PlatformPipeline.Create(platform, options.Retry, options.Timeout, Admit, time, OnRetry);
    }

    public string Platform { get; }

    public PlatformCallStats Stats => _counters.Snapshot();

    public LanePlan Plan => _budget.Plan;

    public BudgetSnapshot Budget => _budget.Snapshot();

    /// <summary>Raised when this process's breaker opens for the platform, with the cool-off's end.</summary>
    public event Action<string, DateTimeOffset>? CoolOffStarted;

    /// <summary>Raised when a throttle answer here starts or lengthens the platform's pause, with the pause's end.</summary>
    public event Action<string, DateTimeOffset>? Throttled;

    public void CoolOff(DateTimeOffset until) => _budget.CoolOff(until);

    /// <summary>Another worker met a throttle: pause until <paramref name="until"/> and slow down as for one here; true when it was a new event here.</summary>
    public bool ThrottledElsewhere(DateTimeOffset until)
    {
        var outcome = _budget.ThrottledElsewhere(until);
        CoolOffIfOpened(outcome);
        return outcome.Slowed;
    }

    /// <summary>The fleet's limit changed while running; null: the problem when the new limit does not fit the lanes.</summary>
    public string? SetLimit(double? permitsPerSecond) => _budget.Retarget(permitsPerSecond, out var problem) ? null : problem;

    public async Task<OrderPage> FetchPageAsync(OrderPageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var shop = Credentials(request.ShopId);
        var (timeFrom, timeTo) = Range(request);
        CheckLane(request.Lane);

        var list = await CallAsync(
            request,
            token => _api.GetOrderListAsync(shop, _options.TimeRangeField, timeFrom, timeTo, _options.PageSize, request.Cursor ?? "", token),
            ShopeeJsonContext.Default.ShopeeEnvelopeOrderListResponse,
            cancellationToken);
        if (list.More && string.IsNullOrEmpty(list.NextCursor))
        {
            throw Count(new PlatformException(Platform, PlatformErrorKind.Transient, ShopeeErrorClassifier.BadResponse, "the list says more pages follow but gives no next_cursor"));
        }

        var orderSns = list.OrderList.Select(o => o.OrderSn).Distinct(StringComparer.Ordinal).ToList();
        var details = new Dictionary<string, OrderDetail>(orderSns.Count, StringComparer.Ordinal);
        var calls = 1;
        foreach (var batch in orderSns.Chunk(DetailBatchSize))
        {
            calls++;
            var response = await CallAsync(
                request,
                token => _api.GetOrderDetailAsync(shop, string.Join(',', batch), DetailFields, token),
                ShopeeJsonContext.Default.ShopeeEnvelopeOrderDetailResponse,
                cancellationToken);
            foreach (var detail in response.OrderList)
            {
                details[detail.OrderSn] = detail;
            }
        }

        var missing = orderSns.Count(sn => !details.ContainsKey(sn));
        if (missing > 0)
        {
            // Handing on the page without them would drop orders silently.
            throw Count(new PlatformException(Platform, PlatformErrorKind.Transient, "missing_detail", $"{missing} listed orders came back without details"));
        }

        var orders = orderSns.Select(sn => ToOrder(details[sn])).ToList();
        return new OrderPage(orders, list.More ? list.NextCursor : null, list.More) { Calls = calls };
    }


    private ShopCredentials Credentials(string shopId)
    {
        if (!long.TryParse(shopId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            throw Count(new PlatformException(Platform, PlatformErrorKind.Permanent, "invalid_shop_id", $"shop id '{shopId}' is not a number"));
        }

        if (!_options.Shops.TryGetValue(shopId, out var shop) || string.IsNullOrWhiteSpace(shop?.AccessToken))
        {
            throw Count(new PlatformException(
                Platform,
                PlatformErrorKind.Permanent,
                "no_access_token",
                $"no access token configured for shop {shopId} ({PlatformsConfiguration.SectionName}:{Platform}:Shops:{shopId}:AccessToken)"));
        }

        return new ShopCredentials(id, shop.AccessToken);
    }

    private (long TimeFrom, long TimeTo) Range(OrderPageRequest request)
    {
        if (request.To <= request.From)
        {
            throw Count(new PlatformException(Platform, PlatformErrorKind.Permanent, "invalid_range", $"the slice [{request.From:O}, {request.To:O}) is empty"));
        }

        if (request.To - request.From > ShopeeTimeRange.MaxSpan)
        {
            throw Count(new PlatformException(
                Platform,
                PlatformErrorKind.Permanent,
                "range_too_long",
                $"the slice [{request.From:O}, {request.To:O}) is longer than the platform's {ShopeeTimeRange.MaxSpan.TotalDays} days"));
        }

        return ShopeeTimeRange.ToInclusiveSeconds(request.From, request.To);
    }

    private void CheckLane(LaneRef lane)
    {
        if (lane.Count < 1 || lane.Count > _budget.Plan.Calls || lane.Index < 0 || lane.Index >= lane.Count)
        {
            throw Count(new PlatformException(
                Platform,
                PlatformErrorKind.Permanent,
                "lane_mismatch",
                $"lane {lane} does not fit this worker's budget of {_budget.Plan.Calls} calls per window; scheduler and workers must share {PlatformsConfiguration.SectionName}:{Platform}:RateLimit"));
        }
    }

    private async ValueTask<System.Threading.RateLimiting.RateLimitLease> Admit(ResilienceContext context)
    {
        var lane = context.Properties.GetValue(LaneKey, LaneRef.Whole);
        var shop = context.Properties.GetValue(ShopKey, "");
        var yield = context.Properties.GetValue(YieldKey, CancellationToken.None);
        var ownership = context.Properties.GetValue(OwnershipKey, null);
        if (!yield.CanBeCanceled)
        {
            return await _budget.AcquireAsync(lane, shop, ownership, context.CancellationToken);
        }

        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, yield);
        return await _budget.AcquireAsync(lane, shop, ownership, waiting.Token);
    }

    private async Task<T> CallAsync<T>(
        OrderPageRequest request, Func<CancellationToken, Task<HttpResponseMessage>> send, JsonTypeInfo<ShopeeEnvelope<T>> payload, CancellationToken cancellationToken)
        where T : class
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(LaneKey, request.Lane);
        context.Properties.Set(ShopKey, request.ShopId);
        context.Properties.Set(YieldKey, request.Yield);
        context.Properties.Set(OwnershipKey, request.Ownership);
        try
        {
            return await _pipeline.ExecuteAsync(
                async (attempt, state) =>
                {
                    try
                    {
                        return await AttemptAsync(state.send, state.payload, state.cancellationToken, attempt.CancellationToken);
                    }
                    catch (PlatformException ex)
                    {
                        Record(ex, state.ShopId);
                        throw;
                    }
                },
                context,
                (send, payload, cancellationToken, request.ShopId));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private async ValueTask<T> AttemptAsync<T>(
        Func<CancellationToken, Task<HttpResponseMessage>> send,
        JsonTypeInfo<ShopeeEnvelope<T>> payload,
        CancellationToken callerToken,
        CancellationToken attemptToken)
        where T : class
    {
        _counters.Call();
        int status;
        TimeSpan? retryAfter;
        string body;
        try
        {
            using var response = await send(attemptToken);
            status = (int)response.StatusCode;
            retryAfter = RetryAfterHeader.Parse(response.Headers.RetryAfter, _time.GetUtcNow());
            body = await response.Content.ReadAsStringAsync(attemptToken);
        }
        catch (Exception ex) when (callerToken.IsCancellationRequested)
        {
            // A bare cancellation: what Refit wraps it in carries the signed request URI.
            throw new OperationCanceledException("The caller cancelled the call.", ex is ApiRequestException ? null : ex, callerToken);
        }
        catch (Exception ex) when (ShopeeErrorClassifier.Classify(Platform, ex, callerToken) is { } failure)
        {
            throw failure;
        }

        return ShopeeResponseReader.Read(Platform, status, retryAfter, body, payload, _secrets);
    }

    private void Record(PlatformException failure, string shopId)
    {
        _counters.Failed(failure.Kind);
        switch (failure.Kind)
        {
            case PlatformErrorKind.Throttle:
                var outcome = _budget.Throttled(failure.RetryAfter);
                Log.Throttled(_logger, Platform, shopId, failure.Code, (long)(outcome.PausedUntil - _time.GetUtcNow()).TotalMilliseconds, _budget.Rate.Factor);
                if (outcome.Lengthened)
                {
                    Throttled?.Invoke(Platform, outcome.PausedUntil);
                }

                CoolOffIfOpened(outcome);
                break;
            case PlatformErrorKind.Permanent:
                Log.Refused(_logger, Platform, shopId, failure.Code, failure.Message);
                break;
            default:
                Log.TransientFailure(_logger, Platform, shopId, failure.Code, failure.Message);
                break;
        }
    }

    private void CoolOffIfOpened(ThrottleOutcome outcome)
    {
        if (outcome.CoolOffUntil is { } until)
        {
            Log.BreakerOpened(_logger, Platform, until);
            CoolOffStarted?.Invoke(Platform, until);
        }
    }

    private PlatformException Count(PlatformException failure)
    {
        _counters.Failed(failure.Kind);
        return failure;
    }

    private void OnRetry(OnRetryArguments<object> args) =>
        Log.Retrying(_logger, Platform, args.AttemptNumber + 2, _options.Retry.MaxAttempts, (long)args.RetryDelay.TotalMilliseconds);

    private static PlatformOrder ToOrder(OrderDetail detail) => new(
        detail.OrderSn,
        detail.OrderStatus,
        DateTimeOffset.FromUnixTimeSeconds(detail.CreateTime),
        DateTimeOffset.FromUnixTimeSeconds(detail.UpdateTime),
        detail.TotalAmount,
        detail.Currency);
}
