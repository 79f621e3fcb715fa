using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Backfill.Simulators.Lazada;

/// <summary><c>/orders/get</c> and <c>/orders/items/get</c> over the catalog, with Lazada's parameter rules.</summary>
internal sealed class LazadaOrderEndpoints(LazadaCatalog catalog, LazadaAnswers answers, TimeProvider time)
{
    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss '+0800'";

    /// <summary>
    /// The seller's orders created in <c>[created_after, created_before)</c> (to now without <c>created_before</c>), sorted by
    /// (created_at, order_id); <c>count</c> is the orders in this answer, <c>countTotal</c> all that match.
    /// </summary>
    public IResult List(IQueryCollection query, string seller)
    {
        if (query.ContainsKey("update_after") || query.ContainsKey("update_before"))
        {
            return answers.Param("update_after/update_before are not simulated: use created_after/created_before.");
        }

        var sortBy = query["sort_by"].ToString();
        if (sortBy is not ("" or "created_at"))
        {
            return answers.Param($"sort_by must be created_at (got '{sortBy}'; updated_at is not simulated).");
        }

        var direction = query["sort_direction"].ToString();
        if (direction is not ("" or "ASC" or "DESC"))
        {
            return answers.Param($"sort_direction must be ASC or DESC (got '{direction}').");
        }

        var to = time.GetUtcNow();
        var problem = LazadaParams.Instant("created_after", query["created_after"].ToString(), out var from);
        if (problem is null && query.ContainsKey("created_before"))
        {
            problem = LazadaParams.Instant("created_before", query["created_before"].ToString(), out to);
        }

        var offsetProblem = LazadaParams.Offset(query["offset"].ToString(), out var offset);
        var limitProblem = LazadaParams.Limit(query["limit"].ToString(), out var limit);
        problem ??= offsetProblem ?? limitProblem;
        if (problem is null && to <= from)
        {
            problem = "created_before must be later than created_after.";
        }

        if (problem is not null)
        {
            return answers.Param(problem);
        }

        // Lazada's default direction is DESC.
        var (page, total) = catalog.Page(seller, from, to, offset, limit, ascending: direction == "ASC");
        return answers.OkData(writer =>
        {
            writer.WriteStartObject();
            writer.WriteNumber("count", page.Count);
            writer.WriteNumber("countTotal", total);
            writer.WriteStartArray("orders");
            foreach (var order in page)
            {
                WriteOrder(writer, order, catalog.Items(seller, order));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    /// <summary>The items of each of the seller's orders among <c>order_ids</c>, in the order asked; ids the seller has no order for are left out.</summary>
    public IResult Items(IQueryCollection query, string seller)
    {
        if (LazadaParams.OrderIds(query["order_ids"].ToString(), out var ids) is { } problem)
        {
            return answers.Param(problem);
        }

        var orders = ids.Distinct().Select(id => catalog.Find(seller, id)).OfType<LazadaOrder>().ToList();
        return answers.OkData(writer =>
        {
            writer.WriteStartArray();
            foreach (var order in orders)
            {
                writer.WriteStartObject();
                writer.WriteNumber("order_id", order.OrderId);
                writer.WriteString("order_number", Id(order));
                writer.WriteStartArray("order_items");
                foreach (var item in catalog.Items(seller, order))
                {
                    WriteItem(writer, order, item);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    /// <summary>The platform's time format: local +08:00, whole seconds.</summary>
    public static string Time(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToOffset(LazadaCatalog.SellerOffset).ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static string Id(LazadaOrder order) => order.OrderId.ToString(CultureInfo.InvariantCulture);

    private static string Money(decimal amount) => amount.ToString("0.00", CultureInfo.InvariantCulture);

    private static void WriteOrder(Utf8JsonWriter writer, LazadaOrder order, IReadOnlyList<LazadaItem> items)
    {
        var hash = (ulong)order.OrderId * 0x9E3779B97F4A7C15UL;
        writer.WriteStartObject();
        writer.WriteNumber("order_id", order.OrderId);
        writer.WriteString("order_number", Id(order));
        writer.WriteString("created_at", Time(order.CreatedAt));
        writer.WriteString("updated_at", Time(order.UpdatedAt));
        writer.WriteString("price", Money(items.Sum(i => i.PaidPrice)));
        writer.WriteString("shipping_fee", (hash >> 60) % 2 == 0 ? "0.00" : "3.99");
        writer.WriteString("voucher", "0.00");
        writer.WriteStartArray("statuses");
        writer.WriteStringValue(order.Status);
        writer.WriteEndArray();
        writer.WriteNumber("items_count", items.Count);
        writer.WriteString("payment_method", ((hash >> 56) % 3) switch { 0 => "COD", 1 => "MIXEDCARD", _ => "LAZADA_WALLET" });
        writer.WriteString("customer_first_name", (hash >> 50) % 2 == 0 ? "Tan" : "Nur");
        writer.WriteString("customer_last_name", "");
        writer.WriteBoolean("gift_option", false);
        writer.WriteString("remarks", "");
        writer.WriteString("delivery_info", "");
        writer.WriteString("warehouse_code", "dropshipping");
        WriteAddress(writer, "address_billing", hash);
        WriteAddress(writer, "address_shipping", hash);
        writer.WriteEndObject();
    }

    private static void WriteAddress(Utf8JsonWriter writer, string name, ulong hash)
    {
        writer.WriteStartObject(name);
        writer.WriteString("first_name", (hash >> 50) % 2 == 0 ? "Tan" : "Nur");
        writer.WriteString("phone", string.Create(CultureInfo.InvariantCulture, $"+65 {(hash >> 8) % 100_000_000:D8}"));
        writer.WriteString("address1", string.Create(CultureInfo.InvariantCulture, $"{((hash >> 40) % 900) + 1} Orchard Road #0{((hash >> 36) % 9) + 1}-12"));
        writer.WriteString("city", "Singapore");
        writer.WriteString("country", "Singapore");
        writer.WriteString("post_code", string.Create(CultureInfo.InvariantCulture, $"{((hash >> 20) % 800_000) + 10_000:D6}"));
        writer.WriteEndObject();
    }

    private static void WriteItem(Utf8JsonWriter writer, LazadaOrder order, LazadaItem item)
    {
        writer.WriteStartObject();
        writer.WriteNumber("order_item_id", item.OrderItemId);
        writer.WriteNumber("order_id", order.OrderId);
        writer.WriteString("name", item.Name);
        writer.WriteString("sku", item.Sku);
        writer.WriteString("shop_sku", item.ShopSku);
        writer.WriteString("variation", item.Variation);
        writer.WriteNumber("paid_price", item.PaidPrice);
        writer.WriteNumber("item_price", item.ItemPrice);
        writer.WriteString("currency", "SGD");
        writer.WriteString("status", item.Status);
        writer.WriteString("created_at", Time(order.CreatedAt));
        writer.WriteString("updated_at", Time(order.UpdatedAt));
        writer.WriteEndObject();
    }
}
