namespace Backfill.Platforms.Shopee;

/// <summary>The payload of get_order_detail.</summary>
internal sealed record OrderDetailResponse(IReadOnlyList<OrderDetail> OrderList);

/// <summary>One order's details; times in unix seconds.</summary>
internal sealed record OrderDetail(
    string OrderSn,
    string OrderStatus,
    long CreateTime,
    long UpdateTime,
    decimal TotalAmount,
    string Currency);
