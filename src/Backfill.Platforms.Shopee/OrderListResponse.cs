namespace Backfill.Platforms.Shopee;

/// <summary>The payload of get_order_list.</summary>
internal sealed record OrderListResponse(bool More, IReadOnlyList<OrderListEntry> OrderList, string? NextCursor = null);

/// <summary>One listed order; the status only when asked for with response_optional_fields.</summary>
internal sealed record OrderListEntry(string OrderSn, string? OrderStatus = null);
