using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using System.Threading.RateLimiting;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Refit;

namespace Backfill.Platforms.Shopee;

/// <summary>
/// Orders of a Shopee-shaped platform: one list call per page, then the details in batches of 50. All calls of the
/// platform in this process share one token bucket, one call window and one throttle gate.
/// </summary>
internal sealed partial class ShopeeOrderSource : IOrderSource, IDisposable
{
    private const int DetailBatchSize = 50;
    private const string DetailFields = "total_amount";

    // The platform counts calls per one-second window; a shorter pause than that cannot help.
    private static readonly TimeSpan MinThrottlePause = TimeSpan.FromSeconds(1);

    private readonly PlatformOptions _options;
    private readonly IShopeeApi _api;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TokenBucketRateLimiter _bucket;
    private readonly ThrottleGate _gate;
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
        _bucket = new TokenBucketRateLimiter(RateLimitSizing.BucketOptions(options.RateLimit));
        _gate = new ThrottleGate(time);
        var admission = new PlatformAdmission(_bucket, RateLimitSizing.Window(options.RateLimit, time), _gate);
        _pipeline = PlatformPipeline.Create(platform, options.Retry, options.Timeout, admission, time, OnRetry);
    }

    public string Platform { get; }

    public PlatformCallStats Stats => _counters.Snapshot();

    public async Task<OrderPage> FetchPageAsync(OrderPageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var shop = Credentials(request.ShopId);
        var (timeFrom, timeTo) = Range(request);

        var list = await CallAsync(
            request.ShopId,
            token => _api.GetOrderListAsync(shop, _options.TimeRangeField, timeFrom, timeTo, _options.PageSize, request.Cursor ?? "", token),
            ShopeeJsonContext.Default.ShopeeEnvelopeOrderListResponse,
            cancellationToken);
        if (list.More && string.IsNullOrEmpty(list.NextCursor))
        {
            throw Count(new PlatformException(Platform, PlatformErrorKind.Transient, ShopeeErrorClassifier.BadResponse, "the list says more pages follow but gives no next_cursor"));
        }

        var orderSns = list.OrderList.Select(o => o.OrderSn).Distinct(StringComparer.Ordinal).ToList();
        var details = new Dictionary<string, OrderDetail>(orderSns.Count, StringComparer.Ordinal);
        foreach (var batch in orderSns.Chunk(DetailBatchSize))
        {
            var response = await CallAsync(
                request.ShopId,
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
        return new OrderPage(orders, list.More ? list.NextCursor : null, list.More);
    }

    public void Dispose() => _bucket.Dispose();

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

    private async Task<T> CallAsync<T>(
        string shopId, Func<CancellationToken, Task<HttpResponseMessage>> send, JsonTypeInfo<ShopeeEnvelope<T>> payload, CancellationToken cancellationToken)
        where T : class =>
        await _pipeline.ExecuteAsync(
            async attemptToken =>
            {
                try
                {
                    return await AttemptAsync(send, payload, cancellationToken, attemptToken);
                }
                catch (PlatformException ex)
                {
                    Record(ex, shopId);
                    throw;
                }
            },
            cancellationToken);

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
                var pause = failure.RetryAfter is { } retryAfter && retryAfter > MinThrottlePause ? retryAfter : MinThrottlePause;
                _gate.Close(pause);
                Log.Throttled(_logger, Platform, shopId, failure.Code, (long)pause.TotalMilliseconds);
                break;
            case PlatformErrorKind.Permanent:
                Log.Refused(_logger, Platform, shopId, failure.Code, failure.Message);
                break;
            default:
                Log.TransientFailure(_logger, Platform, shopId, failure.Code, failure.Message);
                break;
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
