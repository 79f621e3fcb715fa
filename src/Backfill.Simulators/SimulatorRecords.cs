using System.Text.Json;
using Backfill.Platforms.Shopee;

namespace Backfill.Simulators;

/// <summary>The simulated records in the platform's wire shape: an order's detail, its escrow detail, a return.</summary>
internal static class SimulatorRecords
{
    private const long Day = 86_400;

    /// <summary>An element of get_order_detail's <c>order_list</c>: the base fields, and each optional one only when <paramref name="optional"/> names it.</summary>
    public static void WriteOrder(Utf8JsonWriter w, SimulatedOrder order, OrderContent content, IReadOnlySet<string> optional)
    {
        var daysToShip = 2 + (int)(order.CreateTime % 3);
        w.WriteStartObject();
        w.WriteString("order_sn", order.OrderSn);
        w.WriteString("region", "TW");
        w.WriteString("currency", SimulatedOrder.Currency);
        w.WriteBoolean("cod", content.PaymentMethod == "Cash on Delivery");
        w.WriteString("order_status", order.Status);
        w.WriteNumber("create_time", order.CreateTime);
        w.WriteNumber("update_time", order.UpdateTime);
        w.WriteNumber("days_to_ship", daysToShip);
        w.WriteNumber("ship_by_date", order.CreateTime + daysToShip * Day);
        if (optional.Contains(ShopeeOrderFields.TotalAmount))
        {
            w.WriteNumber("total_amount", order.TotalAmount);
        }

        if (optional.Contains(ShopeeOrderFields.BuyerUserId))
        {
            w.WriteNumber("buyer_user_id", content.BuyerUserId);
        }

        if (optional.Contains(ShopeeOrderFields.BuyerUsername))
        {
            w.WriteString("buyer_username", content.BuyerUsername);
        }

        if (optional.Contains(ShopeeOrderFields.PayTime))
        {
            w.WriteNumber("pay_time", content.PayTime);
        }

        if (optional.Contains(ShopeeOrderFields.PaymentMethod))
        {
            w.WriteString("payment_method", content.PaymentMethod);
        }

        if (optional.Contains(ShopeeOrderFields.ShippingCarrier))
        {
            w.WriteString("shipping_carrier", content.ShippingCarrier);
        }

        if (optional.Contains(ShopeeOrderFields.Note))
        {
            w.WriteString("note", content.Note);
        }

        if (optional.Contains(ShopeeOrderFields.RecipientAddress))
        {
            var a = content.Address;
            w.WriteStartObject("recipient_address");
            w.WriteString("name", a.Name);
            w.WriteString("phone", a.Phone);
            w.WriteString("town", a.Town);
            w.WriteString("district", a.District);
            w.WriteString("city", a.City);
            w.WriteString("state", a.State);
            w.WriteString("region", a.Region);
            w.WriteString("zipcode", a.Zipcode);
            w.WriteString("full_address", a.FullAddress);
            w.WriteEndObject();
        }

        if (optional.Contains(ShopeeOrderFields.ItemList))
        {
            w.WriteStartArray("item_list");
            foreach (var item in content.Items)
            {
                w.WriteStartObject();
                w.WriteNumber("item_id", item.ItemId);
                w.WriteString("item_name", item.ItemName);
                w.WriteString("item_sku", item.ItemSku);
                w.WriteNumber("model_id", item.ModelId);
                w.WriteString("model_name", item.ModelName);
                w.WriteString("model_sku", item.ModelSku);
                w.WriteNumber("model_quantity_purchased", item.Quantity);
                w.WriteNumber("model_original_price", item.OriginalPrice);
                w.WriteNumber("model_discounted_price", item.DiscountedPrice);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>The members of get_escrow_detail's <c>response</c> object.</summary>
    public static void WriteEscrow(Utf8JsonWriter w, SimulatedOrder order, OrderContent content)
    {
        var e = content.Escrow;
        w.WriteString("order_sn", order.OrderSn);
        w.WriteString("buyer_user_name", content.BuyerUsername);
        w.WriteStartArray("return_order_sn_list");
        if (content.Return is { } returned)
        {
            w.WriteStringValue(returned.ReturnSn);
        }

        w.WriteEndArray();
        w.WriteStartObject("order_income");
        w.WriteNumber("escrow_amount", e.EscrowAmount);
        w.WriteNumber("buyer_total_amount", e.BuyerTotalAmount);
        w.WriteNumber("original_price", e.OriginalPrice);
        w.WriteNumber("seller_discount", e.SellerDiscount);
        w.WriteNumber("shopee_discount", e.ShopeeDiscount);
        w.WriteNumber("commission_fee", e.CommissionFee);
        w.WriteNumber("service_fee", e.ServiceFee);
        w.WriteNumber("actual_shipping_fee", e.ActualShippingFee);
        w.WriteNumber("seller_return_refund", e.SellerReturnRefund);
        w.WriteEndObject();
    }

    /// <summary>An element of get_return_list's <c>return</c> array.</summary>
    public static void WriteReturn(Utf8JsonWriter w, SimulatedReturn r)
    {
        w.WriteStartObject();
        w.WriteString("return_sn", r.ReturnSn);
        w.WriteString("order_sn", r.OrderSn);
        w.WriteString("status", r.Status);
        w.WriteNumber("create_time", r.CreateTime);
        w.WriteNumber("update_time", r.UpdateTime);
        w.WriteNumber("refund_amount", r.RefundAmount);
        w.WriteString("currency", SimulatedOrder.Currency);
        w.WriteString("reason", r.Reason);
        w.WriteStartArray("item");
        foreach (var item in r.Items)
        {
            w.WriteStartObject();
            w.WriteNumber("item_id", item.ItemId);
            w.WriteNumber("model_id", item.ModelId);
            w.WriteNumber("amount", item.Amount);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
