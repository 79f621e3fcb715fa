namespace Backfill.Platforms.Shopee;

/// <summary>The payload of get_order_list.</summary>
public sealed record OrderListResponse(bool More, IReadOnlyList<OrderListEntry> OrderList, string? NextCursor = null);

/// <summary>One listed order; the status only when asked for with response_optional_fields.</summary>
public sealed record OrderListEntry(string OrderSn, string? OrderStatus = null);
