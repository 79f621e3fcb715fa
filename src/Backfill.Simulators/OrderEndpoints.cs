using Backfill.Core.Data;
using Backfill.Platforms.Shopee;
using Microsoft.AspNetCore.Http;

namespace Backfill.Simulators;

/// <summary>The shop-level endpoints over the catalog (orders, escrow, returns), with the platform's parameter rules.</summary>
internal sealed class OrderEndpoints(OrderCatalog catalog, SimulatorAnswers answers)
{
    private const int MaxDetailBatch = 50;

    public IResult List(IQueryCollection query, string shopId)
    {
        var field = query["time_range_field"].ToString();
        if (!TimeFields.IsKnown(field))
        {
            return answers.Param("time_range_field must be create_time or update_time.");
        }

        var problem = SimulatorParams.Range(query, "time_from", "time_to", out var from, out var to);
        var pageSizeProblem = SimulatorParams.PageSize(query, out var pageSize);
        if ((problem ?? pageSizeProblem) is { } refused)
        {
            return answers.Param(refused);
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

    /// <summary>The base fields of each order always; each optional field only when <c>response_optional_fields</c> names it.</summary>
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

        var optional = query["response_optional_fields"].ToString()
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToHashSet(StringComparer.Ordinal);
        var orders = orderSns.Select(sn => catalog.Find(shopId, sn)).OfType<SimulatedOrder>().ToList();
        return answers.Ok(w =>
        {
            w.WriteStartArray("order_list");
            foreach (var order in orders)
            {
                SimulatorRecords.WriteOrder(w, order, catalog.Content(shopId, order), optional);
            }

            w.WriteEndArray();
        });
    }

    /// <summary>get_escrow_detail: one order per call; an order the shop does not have is a parameter error.</summary>
    public IResult Escrow(IQueryCollection query, string shopId)
    {
        var orderSn = query["order_sn"].ToString();
        if (orderSn.Length == 0)
        {
            return answers.Param("order_sn is required.");
        }

        if (catalog.Find(shopId, orderSn) is not { } order)
        {
            return answers.Param($"order_sn {orderSn} is not an order of this shop.");
        }

        var content = catalog.Content(shopId, order);
        return answers.Ok(w => SimulatorRecords.WriteEscrow(w, order, content));
    }

    /// <summary>get_return_list: the returns created in the range, paged by page number from 0.</summary>
    public IResult Returns(IQueryCollection query, string shopId)
    {
        var problem = SimulatorParams.Range(query, "create_time_from", "create_time_to", out var from, out var to);
        var pageSizeProblem = SimulatorParams.PageSize(query, out var pageSize);
        if ((problem ?? pageSizeProblem) is { } refused)
        {
            return answers.Param(refused);
        }

        if (!SimulatorAuth.TryLong(query, "page_no", out var pageNo) || pageNo < 0)
        {
            return answers.Param("page_no must be a number from 0.");
        }

        var returns = catalog.Returns(shopId, from, to);
        var skip = pageNo * pageSize;
        var page = returns.Skip((int)Math.Min(skip, int.MaxValue)).Take(pageSize).ToList();
        var more = skip + pageSize < returns.Count;
        return answers.Ok(w =>
        {
            w.WriteBoolean("more", more);
            w.WriteStartArray("return");
            foreach (var r in page)
            {
                SimulatorRecords.WriteReturn(w, r);
            }

            w.WriteEndArray();
        });
    }
}
