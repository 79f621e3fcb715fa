using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Backfill.Core.Data;
using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Shopee;

/// <summary>
/// Records of a Shopee-shaped platform, whole as it sends them: a list page is one list call, then the orders' details in
/// batches of 50 with every optional field and one escrow call per order, as the slice asks; a returns page is one return
/// list call.
/// </summary>
internal sealed class ShopeeReader(PlatformOptions options, IShopeeApi api) : IPlatformReader
{
    internal const int DetailBatchSize = 50;

    public async Task<RecordPage> ReadAsync(PageQuery query, IPageCalls calls, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(calls);
        var shopId = ShopId(query.Shop, calls);
        var (timeFrom, timeTo) = Range(query, calls);
        return query.Cursor.Phase == SlicePhase.Returns
            ? await ReturnsPageAsync(query, calls, shopId, timeFrom, timeTo, cancellationToken)
            : await ListPageAsync(query, calls, shopId, timeFrom, timeTo, cancellationToken);
    }

    /// <summary>A list page's calls in turn: the list, then each detail batch (its escrow calls go side by side).</summary>
    internal static int CallsInTurnPerPage(PlatformOptions options) =>
        1 + ((Math.Max(1, options.PageSize) + DetailBatchSize - 1) / DetailBatchSize);

    /// <summary>One list call; then, for orders, the listed orders' details with every optional field; for finance, one escrow call per listed order.</summary>
    private async Task<RecordPage> ListPageAsync(PageQuery query, IPageCalls calls, long shopId, long timeFrom, long timeTo, CancellationToken cancellationToken)
    {
        var wantsOrders = query.Data.HasFlag(Datasets.Orders);
        if (!wantsOrders && !query.Data.HasFlag(Datasets.Finance))
        {
            throw calls.Fail(PlatformErrorKind.Permanent, "invalid_phase", $"a list page of a slice of {DatasetNames.Format(query.Data)}, which pulls neither orders nor finance");
        }

        var counted = new Dictionary<Datasets, int>();
        var list = await calls.CallAsync(
            (token, t) => api.GetOrderListAsync(new ShopCredentials(shopId, token), query.TimeField, timeFrom, timeTo, options.PageSize, query.Cursor.Page ?? "", t),
            Typed(ShopeeJsonContext.Default.ShopeeEnvelopeOrderListResponse),
            cancellationToken);
        Counted(counted, wantsOrders ? Datasets.Orders : Datasets.Finance);
        if (list.More && string.IsNullOrEmpty(list.NextCursor))
        {
            throw calls.Fail(PlatformErrorKind.Transient, ShopeeErrorClassifier.BadResponse, "the list says more pages follow but gives no next_cursor");
        }

        var orderSns = list.OrderList.Select(o => o.OrderSn).Distinct(StringComparer.Ordinal).ToList();
        var records = new List<PlatformRecord>(orderSns.Count * 2);
        var orders = wantsOrders ? await DetailsAsync(calls, shopId, orderSns, counted, cancellationToken) : null;
        if (orders is not null)
        {
            records.AddRange(orderSns.Select(sn => orders[sn]).Select(o => new PlatformRecord(Datasets.Orders, o.Id, o.CreateTime, o.UpdateTime, o.Json)));
        }

        if (query.Data.HasFlag(Datasets.Finance))
        {
            // One call per order, independent of each other: several at once, so one step can keep its share of the budget
            // busy. The budget still admits each call; an answer's failure stops the others from starting and fails the page.
            var escrows = new ReadOnlyMemory<byte>[orderSns.Count];
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, calls.AtOnce), CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(Enumerable.Range(0, orderSns.Count), parallel, async (i, token) =>
            {
                var sn = orderSns[i];
                escrows[i] = (await calls.CallAsync(
                    (access, t) => api.GetEscrowDetailAsync(new ShopCredentials(shopId, access), sn, t),
                    Records(response => ShopeeRecords.Escrow(response, sn)),
                    token)).Json;
            });
            counted[Datasets.Finance] = counted.GetValueOrDefault(Datasets.Finance) + orderSns.Count;
            for (var i = 0; i < orderSns.Count; i++)
            {
                var order = orders?[orderSns[i]];
                records.Add(new PlatformRecord(Datasets.Finance, orderSns[i], order?.CreateTime, order?.UpdateTime, escrows[i]));
            }
        }

        return new RecordPage(records, list.More ? list.NextCursor : null, list.More) { CallsByData = counted };
    }

    /// <summary>The listed orders' details, in batches of <see cref="DetailBatchSize"/>, each naming every optional field; an order left out fails the page.</summary>
    private async Task<Dictionary<string, ShopeeRecords.Record>> DetailsAsync(
        IPageCalls calls, long shopId, List<string> orderSns, Dictionary<Datasets, int> counted, CancellationToken cancellationToken)
    {
        var details = new Dictionary<string, ShopeeRecords.Record>(orderSns.Count, StringComparer.Ordinal);
        foreach (var batch in orderSns.Chunk(DetailBatchSize))
        {
            var orders = await calls.CallAsync(
                (token, t) => api.GetOrderDetailAsync(new ShopCredentials(shopId, token), string.Join(',', batch), ShopeeOrderFields.All, t),
                Records(ShopeeRecords.Orders),
                cancellationToken);
            Counted(counted, Datasets.Orders);
            foreach (var order in orders)
            {
                details[order.Id] = order;
            }
        }

        var missing = orderSns.Count(sn => !details.ContainsKey(sn));
        if (missing > 0)
        {
            // Handing on the page without them would drop orders silently.
            throw calls.Fail(PlatformErrorKind.Transient, "missing_detail", $"{missing} listed orders came back without details");
        }

        return details;
    }

    /// <summary>One return list call: the page named by the cursor's page number (the first, 0, when it has none).</summary>
    private async Task<RecordPage> ReturnsPageAsync(PageQuery query, IPageCalls calls, long shopId, long timeFrom, long timeTo, CancellationToken cancellationToken)
    {
        var pageNo = 0;
        if (query.Cursor.Page is { } page && (!int.TryParse(page, NumberStyles.None, CultureInfo.InvariantCulture, out pageNo) || pageNo == int.MaxValue))
        {
            throw calls.Fail(PlatformErrorKind.Permanent, "invalid_cursor", $"'{(page.Length <= 20 ? page : page[..20])}' is not a page number of the return list");
        }

        var returns = await calls.CallAsync(
            (token, t) => api.GetReturnListAsync(new ShopCredentials(shopId, token), pageNo, options.PageSize, timeFrom, timeTo, t),
            Records(ShopeeRecords.Returns),
            cancellationToken);
        var records = returns.Returns.Select(r => new PlatformRecord(Datasets.Returns, r.Id, r.CreateTime, r.UpdateTime, r.Json)).ToList();
        var next = returns.More ? (pageNo + 1).ToString(CultureInfo.InvariantCulture) : null;
        return new RecordPage(records, next, returns.More) { CallsByData = new Dictionary<Datasets, int> { [Datasets.Returns] = 1 } };
    }

    private static void Counted(Dictionary<Datasets, int> calls, Datasets dataset) =>
        calls[dataset] = calls.GetValueOrDefault(dataset) + 1;

    private static Func<PlatformAnswer, T> Typed<T>(JsonTypeInfo<ShopeeEnvelope<T>> payload)
        where T : class =>
        answer => ShopeeResponseReader.Read(answer.Platform, answer.Status, answer.RetryAfter, answer.Body, payload, answer.Secrets);

    private static Func<PlatformAnswer, T> Records<T>(Func<JsonElement, T?> shape)
        where T : class =>
        answer => ShopeeResponseReader.ReadRecords(answer.Platform, answer.Status, answer.RetryAfter, answer.Body, answer.Secrets, shape);

    private static long ShopId(string shop, IPageCalls calls) =>
        long.TryParse(shop, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            ? id
            : throw calls.Fail(PlatformErrorKind.Permanent, "invalid_shop_id", $"shop id '{shop}' is not a number");

    private static (long TimeFrom, long TimeTo) Range(PageQuery query, IPageCalls calls) =>
        query.To - query.From > ShopeeTimeRange.MaxSpan
            ? throw calls.Fail(
                PlatformErrorKind.Permanent,
                "range_too_long",
                $"the slice [{query.From:O}, {query.To:O}) is longer than the platform's {ShopeeTimeRange.MaxSpan.TotalDays} days")
            : ShopeeTimeRange.ToInclusiveSeconds(query.From, query.To);
}
