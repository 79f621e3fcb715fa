using Backfill.Core.Data;
using System.Globalization;
using Backfill.Platforms.Shopee;
using Microsoft.AspNetCore.Http;

namespace Backfill.Platforms.Simulator;

/// <summary>get_order_list and get_order_detail over the catalog, with the platform's parameter rules.</summary>
internal sealed class OrderEndpoints(OrderCatalog catalog, SimulatorAnswers answers)
{
    private const int MaxPageSize = 100;
    private const int MaxDetailBatch = 50;
    private static readonly long MaxRangeSeconds = (long)ShopeeTimeRange.MaxSpan.TotalSeconds;

    public IResult List(IQueryCollection query, string shopId)
    {
        var field = query["time_range_field"].ToString();
        if (!TimeFields.IsKnown(field))
        {
            return answers.Param("time_range_field must be create_time or update_time.");
        }

        if (!SimulatorAuth.TryLong(query, "time_from", out var from) || !SimulatorAuth.TryLong(query, "time_to", out var to))
        {
            return answers.Param("time_from and time_to are required.");
        }

        if (from > to)
        {
            return answers.Param("time_from must not be later than time_to.");
        }

        if (to - from > MaxRangeSeconds)
        {
            return answers.Param("The time range must not exceed 15 days.");
        }

        if (!int.TryParse(query["page_size"].ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var pageSize)
            || pageSize is < 1 or > MaxPageSize)
        {
            return answers.Param("page_size must be between 1 and 100.");
        }

        if (!OrderCursor.TryDecode(query["cursor"].ToString(), out var offset))
        {
            return answers.Param("cursor is invalid.");
        }

        var withStatus = query["response_optional_fields"].ToString().Contains("order_status", StringComparison.Ordinal);
        var orders = catalog.Between(shopId, field, from, to);
        var page = orders.Skip(offset).Take(pageSize)
            .Select(o => new OrderListEntry(o.OrderSn, withStatus ? o.Status : null))
            .ToList();
        var more = offset + pageSize < orders.Count;
        return answers.Ok(new OrderListResponse(more, page, more ? OrderCursor.Encode(offset + pageSize) : ""));
    }

    public IResult Detail(IQueryCollection query, string shopId)
    {
        var orderSns = query["order_sn_list"].ToString()
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (orderSns.Length == 0)
        {
            return answers.Param("order_sn_list is required.");
        }

        if (orderSns.Length > MaxDetailBatch)
        {
            return answers.Param("order_sn_list must not hold more than 50 order numbers.");
        }

        var details = orderSns
            .Select(sn => catalog.Find(shopId, sn))
            .OfType<SimulatedOrder>()
            .Select(o => new OrderDetail(o.OrderSn, o.Status, o.CreateTime, o.UpdateTime, o.TotalAmount, SimulatedOrder.Currency))
            .ToList();
        return answers.Ok(new OrderDetailResponse(details));
    }
}
