using System.Globalization;
using Backfill.Core.Data;
using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Lazada;

/// <summary>
/// Orders of a Lazada seller, whole: a page is one <c>/orders/get</c> call, then the page's new orders' items in batches
/// of <see cref="ItemsBatchSize"/>; a record is the order as listed with its <c>order_items</c>. Pages past the offset cap
/// continue from the last order's second (<see cref="LazadaPaging"/>).
/// </summary>
internal sealed class LazadaReader(PlatformOptions options, LazadaClient client) : IPlatformReader
{
    internal const int ItemsBatchSize = 50;

    public async Task<RecordPage> ReadAsync(PageQuery query, IPageCalls calls, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(calls);
        if (query.Cursor.Phase != SlicePhase.List || query.Data != Datasets.Orders)
        {
            throw calls.Fail(
                PlatformErrorKind.Permanent,
                "unsupported_dataset",
                $"Lazada pulls orders only; a slice of {DatasetNames.Format(query.Data)} in its {SliceCursor.Name(query.Cursor.Phase)} phase cannot be read");
        }

        var (after, before, sortBy, sortField) = query.TimeField switch
        {
            TimeFields.CreateTime => ("created_after", "created_before", "created_at", "created_at"),
            TimeFields.UpdateTime => ("update_after", "update_before", "updated_at", "updated_at"),
            _ => throw calls.Fail(PlatformErrorKind.Permanent, "invalid_time_field", TimeFields.Problem(query.TimeField) ?? query.TimeField),
        };

        var from = LazadaTime.CeilingSeconds(query.From);
        var to = LazadaTime.CeilingSeconds(query.To);
        var at = LazadaCursor.Start;
        if (query.Cursor.Page is { } page)
        {
            at = LazadaCursor.Decode(page, from, to, out var problem) ?? throw calls.Fail(PlatformErrorKind.Permanent, "invalid_cursor", problem!);
        }

        var limit = Math.Clamp(options.PageSize, 1, LazadaPaging.MaxLimit);
        KeyValuePair<string, string>[] parameters =
        [
            Pair(after, LazadaTime.Request(at.Window ?? from, query.From.Offset)),
            Pair(before, LazadaTime.Request(to, query.From.Offset)),
            Pair("sort_by", sortBy),
            Pair("sort_direction", "ASC"),
            Pair("offset", at.Offset.ToString(CultureInfo.InvariantCulture)),
            Pair("limit", limit.ToString(CultureInfo.InvariantCulture)),
        ];
        var list = await calls.CallAsync(
            (token, t) => client.GetAsync(LazadaPaths.OrderList, parameters, token, t),
            answer => LazadaResponses.Read(answer, root => LazadaResponses.Orders(root, sortField)),
            cancellationToken);
        var callCount = 1;

        var step = LazadaPaging.Next(at, [.. list.Orders.Select(o => new ListedOrder(o.Id, o.SortSecond))], limit, list.CountTotal);
        if (step.Problem is { } refused)
        {
            throw calls.Fail(refused.Kind, refused.Code, refused.Message);
        }

        var fresh = step.Fresh.Select(f => f.Id).ToHashSet(StringComparer.Ordinal);
        var orders = new List<LazadaResponses.Order>(fresh.Count);
        foreach (var order in list.Orders)
        {
            // Remove: an order listed twice on one page is handed on once.
            if (fresh.Remove(order.Id))
            {
                orders.Add(order);
            }
        }
        var records = new List<PlatformRecord>(orders.Count);
        foreach (var batch in orders.Chunk(ItemsBatchSize))
        {
            var ids = $"[{string.Join(',', batch.Select(o => o.Id))}]";
            var items = await calls.CallAsync(
                (token, t) => client.GetAsync(LazadaPaths.OrderItems, [Pair("order_ids", ids)], token, t),
                answer => LazadaResponses.Read(answer, LazadaResponses.Items),
                cancellationToken);
            callCount++;
            foreach (var order in batch)
            {
                if (!items.TryGetValue(order.Id, out var orderItems))
                {
                    // Handing on the page without it would store an order without its items.
                    throw calls.Fail(PlatformErrorKind.Transient, "missing_items", $"order {order.Id} came back from the items call without its items");
                }

                var json = LazadaResponses.WithItems(order.Json, orderItems)
                    ?? throw calls.Fail(PlatformErrorKind.Transient, LazadaErrorClassifier.BadResponse, $"listed order {order.Id} carries order_items already");
                records.Add(new PlatformRecord(Datasets.Orders, order.Id, order.CreateTime, order.UpdateTime, json));
            }
        }

        return new RecordPage(records, step.Next?.Encode(), step.Next is not null) { CallsByData = new Dictionary<Datasets, int> { [Datasets.Orders] = callCount } };
    }

    /// <summary>A page's calls in turn: the list, then each items batch.</summary>
    internal static int CallsInTurnPerPage(PlatformOptions options) =>
        1 + ((Math.Clamp(options.PageSize, 1, LazadaPaging.MaxLimit) + ItemsBatchSize - 1) / ItemsBatchSize);

    private static KeyValuePair<string, string> Pair(string name, string value) => KeyValuePair.Create(name, value);
}
