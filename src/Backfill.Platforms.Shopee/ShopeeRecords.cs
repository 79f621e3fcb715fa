using System.Runtime.InteropServices;
using System.Text.Json;

namespace Backfill.Platforms.Shopee;

/// <summary>
/// The records of an answer's <c>response</c>, each kept as the exact bytes the platform sent (never re-serialized, so
/// fields added by the platform and its number formats survive), with the few values the product reads from them. Each
/// reader returns null when the response does not have the shape its endpoint promises. Pure.
/// </summary>
internal static class ShopeeRecords
{
    /// <summary>get_order_detail's <c>order_list</c>: each order by its <c>order_sn</c>.</summary>
    public static IReadOnlyList<Record>? Orders(JsonElement response)
    {
        if (!TryArray(response, "order_list", out var list))
        {
            return null;
        }

        var orders = new List<Record>(list.GetArrayLength());
        foreach (var order in list.EnumerateArray())
        {
            if (Text(order, "order_sn") is not { Length: > 0 } sn)
            {
                return null;
            }

            orders.Add(new Record(sn, Time(order, "create_time"), Time(order, "update_time"), Raw(order)));
        }

        return orders;
    }

    /// <summary>get_escrow_detail's <c>response</c> as a whole, which must be the escrow of <paramref name="orderSn"/>.</summary>
    public static Record? Escrow(JsonElement response, string orderSn) =>
        response.ValueKind == JsonValueKind.Object && Text(response, "order_sn") is var sn && (sn is null || sn == orderSn)
            ? new Record(orderSn, null, null, Raw(response))
            : null;

    /// <summary>get_return_list's <c>return</c> and <c>more</c>: each return by its <c>return_sn</c>.</summary>
    public static ReturnPage? Returns(JsonElement response)
    {
        if (!response.TryGetProperty("more", out var more) || more.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return null;
        }

        var returns = new List<Record>();
        if (TryArray(response, "return", out var list))
        {
            foreach (var r in list.EnumerateArray())
            {
                if (Text(r, "return_sn") is not { Length: > 0 } sn)
                {
                    return null;
                }

                returns.Add(new Record(sn, Time(r, "create_time"), Time(r, "update_time"), Raw(r)));
            }
        }
        else if (more.GetBoolean() || response.TryGetProperty("return", out _))
        {
            // An empty last page may leave the list out; a page that promises more, or whose list is not one, is broken.
            return null;
        }

        return new ReturnPage(returns, more.GetBoolean());
    }

    private static bool TryArray(JsonElement element, string name, out JsonElement array)
    {
        array = default;
        return element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out array) && array.ValueKind == JsonValueKind.Array;
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var seconds)
            && seconds is >= 0 and <= 253_402_300_799
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;

    private static byte[] Raw(JsonElement element) => JsonMarshal.GetRawUtf8Value(element).ToArray();

    /// <summary>A page of returns, and whether more follow.</summary>
    internal sealed record ReturnPage(IReadOnlyList<Record> Returns, bool More);

    /// <summary>One record: its id, its own times when it has them, and its JSON as the platform sent it.</summary>
    internal sealed record Record(string Id, DateTimeOffset? CreateTime, DateTimeOffset? UpdateTime, byte[] Json);
}
