using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using Backfill.Core.Data;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;
using Backfill.Platforms.Tokens;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Refit;

namespace Backfill.Platforms.Shopee;

/// <summary>
/// Records of a Shopee-shaped platform, whole as it sends them: a list page is one list call, then the orders' details in
/// batches of 50 with every optional field and one escrow call per order, as the slice asks; a returns page is one return
/// list call. Every call is admitted
/// by the platform's <see cref="PlatformBudget"/> in its lane (and shop) window, and every attempt is signed with the
/// shop's current token from <see cref="IShopTokens"/>. A call whose token is refused as expired is announced
/// (<see cref="TokenRefused"/>), waits for a newer token and is asked again, a bounded number of times.
/// </summary>
internal sealed partial class ShopeeOrderSource : IOrderSource
{
    internal const int DetailBatchSize = 50;

    /// <summary>The most escrow calls of one page under way at once.</summary>
    internal const int MaxEscrowsAtOnce = 16;

    /// <summary>
    /// Waits for a newer token one call may make. Tokens live hours, so a second refusal means the newer token was refused
    /// too (a clock far off, a shop whose authorisation was withdrawn): a few more would not help.
    /// </summary>
    internal const int MaxTokenWaits = 3;

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
    private readonly IShopTokens _tokens;
    private readonly string[] _secrets;

    // The highest version refused here per shop (each announced once) and the highest signed with (each logged once).
    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _signedWith = new(StringComparer.Ordinal);

    public ShopeeOrderSource(string platform, PlatformOptions options, IShopeeApi api, IShopTokens tokens, TimeProvider time, ILogger<ShopeeOrderSource> logger)
    {
        Platform = platform;
        _options = options;
        _api = api;
        _tokens = tokens;
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

    /// <summary>Raised with the platform, shop and version when the platform refused that token version as expired, once per shop and version.</summary>
    public event Action<string, string, long>? TokenRefused;

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

    public string TimeField => _options.TimeRangeField;

    public async Task<RecordPage> FetchAsync(PageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var shopId = ShopId(request.ShopId);
        var (timeFrom, timeTo) = Range(request);
        CheckLane(request.Lane);
        return request.Cursor.Phase == SlicePhase.Returns
            ? await ReturnsPageAsync(request, shopId, timeFrom, timeTo, cancellationToken)
            : await ListPageAsync(request, shopId, timeFrom, timeTo, cancellationToken);
    }

    /// <summary>One list call; then, for orders, the listed orders' details with every optional field; for finance, one escrow call per listed order.</summary>
    private async Task<RecordPage> ListPageAsync(PageRequest request, long shopId, long timeFrom, long timeTo, CancellationToken cancellationToken)
    {
        var wantsOrders = request.Data.HasFlag(Datasets.Orders);
        if (!wantsOrders && !request.Data.HasFlag(Datasets.Finance))
        {
            throw Count(new PlatformException(Platform, PlatformErrorKind.Permanent, "invalid_phase", $"a list page of a slice of {DatasetNames.Format(request.Data)}, which pulls neither orders nor finance"));
        }

        var timeField = request.TimeField ?? _options.TimeRangeField;
        if (TimeFields.Problem(timeField) is { } problem)
        {
            throw Count(new PlatformException(Platform, PlatformErrorKind.Permanent, "invalid_time_field", problem));
        }

        var calls = new Dictionary<Datasets, int>();
        var list = await CallAsync(
            request,
            shopId,
            (shop, token) => _api.GetOrderListAsync(shop, timeField, timeFrom, timeTo, _options.PageSize, request.Cursor.Page ?? "", token),
            Typed(ShopeeJsonContext.Default.ShopeeEnvelopeOrderListResponse),
            cancellationToken);
        Counted(calls, wantsOrders ? Datasets.Orders : Datasets.Finance);
        if (list.More && string.IsNullOrEmpty(list.NextCursor))
        {
            throw Count(new PlatformException(Platform, PlatformErrorKind.Transient, ShopeeErrorClassifier.BadResponse, "the list says more pages follow but gives no next_cursor"));
        }

        var orderSns = list.OrderList.Select(o => o.OrderSn).Distinct(StringComparer.Ordinal).ToList();
        var records = new List<PlatformRecord>(orderSns.Count * 2);
        var orders = wantsOrders ? await DetailsAsync(request, shopId, orderSns, calls, cancellationToken) : null;
        if (orders is not null)
        {
            records.AddRange(orderSns.Select(sn => orders[sn]).Select(o => new PlatformRecord(Datasets.Orders, o.Id, o.CreateTime, o.UpdateTime, o.Json)));
        }

        if (request.Data.HasFlag(Datasets.Finance))
        {
            // One call per order, independent of each other: several at once, so one step can keep its lane's share of the
            // budget busy (one at a time left the lane idle for a call's latency and a step's other waits). The budget
            // still admits each call; an answer's failure stops the others from starting and fails the page as before.
            var escrows = new ReadOnlyMemory<byte>[orderSns.Count];
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = EscrowsAtOnce(request.Lane), CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, orderSns.Count), parallel, async (i, token) =>
            {
                var sn = orderSns[i];
                escrows[i] = (await CallAsync(
                    request,
                    shopId,
                    (shop, t) => _api.GetEscrowDetailAsync(shop, sn, t),
                    Records(response => ShopeeRecords.Escrow(response, sn)),
                    token)).Json;
            });
            calls[Datasets.Finance] = calls.GetValueOrDefault(Datasets.Finance) + orderSns.Count;
            for (var i = 0; i < orderSns.Count; i++)
            {
                var order = orders?[orderSns[i]];
                records.Add(new PlatformRecord(Datasets.Finance, orderSns[i], order?.CreateTime, order?.UpdateTime, escrows[i]));
            }
        }

        return new RecordPage(records, list.More ? list.NextCursor : null, list.More) { CallsByData = calls };
    }

    /// <summary>The listed orders' details, in batches of <see cref="DetailBatchSize"/>, each naming every optional field; an order left out fails the page.</summary>
    private async Task<Dictionary<string, ShopeeRecords.Record>> DetailsAsync(
        PageRequest request, long shopId, List<string> orderSns, Dictionary<Datasets, int> calls, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, ShopeeRecords.Record>(orderSns.Count, StringComparer.Ordinal);
        foreach (var batch in orderSns.Chunk(DetailBatchSize))
        {
            var orders = await CallAsync(
                request,
                shopId,
                (shop, token) => _api.GetOrderDetailAsync(shop, string.Join(',', batch), ShopeeOrderFields.All, token),
                Records(ShopeeRecords.Orders),
                cancellationToken);
            Counted(calls, Datasets.Orders);
            foreach (var order in orders)
            {
                details[order.Id] = order;
            }
        }

        var missing = orderSns.Count(sn => !details.ContainsKey(sn));
        if (missing > 0)
        {
            // Handing on the page without them would drop orders silently.
            throw Count(new PlatformException(Platform, PlatformErrorKind.Transient, "missing_detail", $"{missing} listed orders came back without details"));
        }

        return details;
    }

    /// <summary>One return list call: the page named by the cursor's page number (the first, 0, when it has none).</summary>
    private async Task<RecordPage> ReturnsPageAsync(PageRequest request, long shopId, long timeFrom, long timeTo, CancellationToken cancellationToken)
    {
        var pageNo = 0;
        if (request.Cursor.Page is { } page && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out pageNo) || pageNo == int.MaxValue))
        {
            throw Count(new PlatformException(Platform, PlatformErrorKind.Permanent, "invalid_cursor", $"'{(page.Length <= 20 ? page : page[..20])}' is not a page number of the return list"));
        }

        var returns = await CallAsync(
            request,
            shopId,
            (shop, token) => _api.GetReturnListAsync(shop, pageNo, _options.PageSize, timeFrom, timeTo, token),
            Records(ShopeeRecords.Returns),
            cancellationToken);
        var records = returns.Returns.Select(r => new PlatformRecord(Datasets.Returns, r.Id, r.CreateTime, r.UpdateTime, r.Json)).ToList();
        var next = returns.More ? (pageNo + 1).ToString(CultureInfo.InvariantCulture) : null;
        return new RecordPage(records, next, returns.More) { CallsByData = new Dictionary<Datasets, int> { [Datasets.Returns] = 1 } };
    }

    /// <summary>
    /// How many escrow calls of a page go out at once: the lane's calls per window, so a step alone can fill its lane
    /// (more would only queue at the budget), at most <see cref="MaxEscrowsAtOnce"/>.
    /// </summary>
    private int EscrowsAtOnce(LaneRef lane) =>
        Math.Clamp(lane.Count >= 1 && lane.Count <= _budget.Plan.LaneCalls && lane.Index >= 0 && lane.Index < lane.Count ? _budget.Plan.Share(lane.Index, lane.Count) : _budget.Plan.LaneCalls, 1, MaxEscrowsAtOnce);

    private static void Counted(Dictionary<Datasets, int> calls, Datasets dataset) =>
        calls[dataset] = calls.GetValueOrDefault(dataset) + 1;

    private Func<int, TimeSpan?, string, IEnumerable<string?>, T> Typed<T>(JsonTypeInfo<ShopeeEnvelope<T>> payload)
        where T : class =>
        (status, retryAfter, body, secrets) => ShopeeResponseReader.Read(Platform, status, retryAfter, body, payload, secrets);

    private Func<int, TimeSpan?, string, IEnumerable<string?>, T> Records<T>(Func<System.Text.Json.JsonElement, T?> shape)
        where T : class =>
        (status, retryAfter, body, secrets) => ShopeeResponseReader.ReadRecords(Platform, status, retryAfter, body, secrets, shape);

    private long ShopId(string shopId) =>
        long.TryParse(shopId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw Count(new PlatformException(Platform, PlatformErrorKind.Permanent, "invalid_shop_id", $"shop id '{shopId}' is not a number"));

    private (long TimeFrom, long TimeTo) Range(PageRequest request)
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
        if (lane.Count < 1 || lane.Count > _budget.Plan.LaneCalls || lane.Index < 0 || lane.Index >= lane.Count)
        {
            throw Count(new PlatformException(
                Platform,
                PlatformErrorKind.Permanent,
                "lane_mismatch",
                $"lane {lane} does not fit this worker's budget of {_budget.Plan.LaneCalls} calls per window for lanes; scheduler and workers must share {PlatformsConfiguration.SectionName}:{Platform}:RateLimit and {Core.Secrets.SecretBox.ConfigurationKey}"));
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

    /// <summary>
    /// One call through the pipeline (admission, timeout, transient retries), each attempt signed with the shop's current
    /// token; a refusal of that token as expired waits for a newer one and asks again (<see cref="MaxTokenWaits"/>).
    /// </summary>
    private async Task<T> CallAsync<T>(
        PageRequest request,
        long shopId,
        Func<ShopCredentials, CancellationToken, Task<HttpResponseMessage>> send,
        Func<int, TimeSpan?, string, IEnumerable<string?>, T> read,
        CancellationToken cancellationToken)
        where T : class
    {
        for (var waits = 0; ; waits++)
        {
            var signed = new SignedWith();
            await FirstTokenAsync(request, cancellationToken);
            try
            {
                return await CallOnceAsync(request, shopId, send, read, signed, cancellationToken);
            }
            catch (PlatformException e) when (e.Kind == PlatformErrorKind.TokenExpired)
            {
                await NewerTokenAsync(request, e, signed.Version, waits, cancellationToken);
            }
        }
    }

    private async Task<T> CallOnceAsync<T>(
        PageRequest request,
        long shopId,
        Func<ShopCredentials, CancellationToken, Task<HttpResponseMessage>> send,
        Func<int, TimeSpan?, string, IEnumerable<string?>, T> read,
        SignedWith signed,
        CancellationToken cancellationToken)
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
                    var token = _tokens.Current(Platform, state.request.ShopId)
                        ?? throw NoToken(state.request.ShopId);
                    state.signed.Version = token.Version;
                    NoteSigning(state.request.ShopId, token.Version);
                    try
                    {
                        return await AttemptAsync(
                            t => state.send(new ShopCredentials(state.shopId, token.AccessToken), t), state.read, token.AccessToken, state.cancellationToken, attempt.CancellationToken);
                    }
                    catch (PlatformException ex)
                    {
                        Record(ex, state.request.ShopId, token.Version);
                        throw;
                    }
                },
                context,
                (send, read, cancellationToken, request, shopId, signed));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>A shop with no token yet waits for its first (the scheduler refreshes a shop it has only a refresh token of at once).</summary>
    private async Task FirstTokenAsync(PageRequest request, CancellationToken cancellationToken)
    {
        if (_tokens.Current(Platform, request.ShopId) is not null)
        {
            return;
        }

        if (request.TokenWait <= TimeSpan.Zero || !await WaitAsync(request, -1, cancellationToken))
        {
            throw NoToken(request.ShopId);
        }
    }

    /// <summary>Returns once a token newer than the refused one is here; throws the failure, made clear, when none comes or waiting is over.</summary>
    private async Task NewerTokenAsync(PageRequest request, PlatformException refused, long version, int waits, CancellationToken cancellationToken)
    {
        var shop = request.ShopId;
        if (request.TokenWait <= TimeSpan.Zero)
        {
            throw Refused(refused, $"the fleet refreshes no tokens ({Core.Secrets.SecretBox.ConfigurationKey} is not set): give shop {shop} a new access token in {ConfigurationKey(shop)}");
        }

        if (waits >= MaxTokenWaits)
        {
            throw Refused(refused, $"refused {waits + 1} times in a row for shop {shop}, each time with a newer token (version {version} last); check the shop's authorisation and this machine's clock");
        }

        if (FirstRefusal(shop, version))
        {
            TokenRefused?.Invoke(Platform, shop, version);
        }

        if (!await WaitAsync(request, version, cancellationToken))
        {
            throw Refused(refused, $"no newer access token for shop {shop} came within {request.TokenWait:c} (the scheduler refreshes it; see its log)");
        }

        Log.TokenRenewed(_logger, Platform, shop, version);
    }

    private async Task<bool> WaitAsync(PageRequest request, long version, CancellationToken cancellationToken)
    {
        // A partition leaving this worker stops the wait as it stops a wait for budget: the step hands on.
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, request.Yield);
        return await _tokens.WaitForNewerAsync(Platform, request.ShopId, version, request.TokenWait, waiting.Token);
    }

    private async ValueTask<T> AttemptAsync<T>(
        Func<CancellationToken, Task<HttpResponseMessage>> send,
        Func<int, TimeSpan?, string, IEnumerable<string?>, T> read,
        string accessToken,
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

        return read(status, retryAfter, body, [.. _secrets, accessToken]);
    }

    /// <summary>True for the first refusal of <paramref name="version"/> (or a newer one) of the shop here: announced once.</summary>
    private bool FirstRefusal(string shop, long version)
    {
        while (true)
        {
            if (!_refused.TryGetValue(shop, out var known))
            {
                if (_refused.TryAdd(shop, version))
                {
                    return true;
                }
            }
            else if (known >= version)
            {
                return false;
            }
            else if (_refused.TryUpdate(shop, version, known))
            {
                return true;
            }
        }
    }

    /// <summary>Logs the first call here signed with a shop's new token version.</summary>
    private void NoteSigning(string shop, long version)
    {
        while (true)
        {
            if (!_signedWith.TryGetValue(shop, out var known))
            {
                if (_signedWith.TryAdd(shop, version))
                {
                    break;
                }
            }
            else if (known >= version)
            {
                return;
            }
            else if (_signedWith.TryUpdate(shop, version, known))
            {
                break;
            }
        }

        Log.SigningWith(_logger, Platform, shop, version);
    }

    private PlatformException NoToken(string shop) => Count(new PlatformException(
        Platform, PlatformErrorKind.Permanent, "no_access_token", $"no access token configured for shop {shop} ({ConfigurationKey(shop)}) and none refreshed by the scheduler"));

    /// <summary>The refusal as it fails the slice: the platform's own words, then why waiting did not help.</summary>
    private PlatformException Refused(PlatformException refused, string why) =>
        new(Platform, PlatformErrorKind.TokenExpired, refused.Code, $"{refused.Detail}; {why}", refused.RetryAfter);

    private string ConfigurationKey(string shop) => $"{PlatformsConfiguration.SectionName}:{Platform}:Shops:{shop}:AccessToken";

    private void Record(PlatformException failure, string shopId, long tokenVersion)
    {
        _counters.Failed(failure.Kind);
        switch (failure.Kind)
        {
            case PlatformErrorKind.TokenExpired:
                Log.TokenExpired(_logger, Platform, shopId, tokenVersion, failure.Code);
                break;
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

    /// <summary>The token version an attempt of a call signed with; a refusal of it names that version.</summary>
    private sealed class SignedWith
    {
        public long Version { get; set; } = -1;
    }
}
