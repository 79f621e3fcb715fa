using System.Runtime.InteropServices;
using System.Text.Json;
using Backfill.Platforms.Configuration;

namespace Backfill.Platforms.Lazada;

/// <summary>
/// Turns an answer into its payload or the <see cref="PlatformException"/> it stands for. Records keep the exact bytes the
/// platform sent (never re-serialized, so added fields, number formats and text outside ASCII survive). Pure.
/// </summary>
internal static class LazadaResponses
{
    /// <summary>
    /// The payload <paramref name="shape"/> reads from a successful answer's root object; a failure answer throws what it
    /// stands for, and a payload <paramref name="shape"/> cannot read (null) a transient <c>bad_response</c>.
    /// </summary>
    public static T Read<T>(PlatformAnswer answer, Func<JsonElement, T?> shape)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(answer);
        JsonDocument? document = null;
        try
        {
            document = JsonDocument.Parse(answer.Body);
        }
        catch (JsonException)
        {
        }

        using (document)
        {
            var root = document?.RootElement;
            var envelope = root is { ValueKind: JsonValueKind.Object } r ? Envelope(r, answer.Secrets) : null;
            if (LazadaErrorClassifier.Classify(answer.Platform, answer.Status, answer.RetryAfter, envelope) is { } failure)
            {
                throw failure;
            }

            return shape(root!.Value)
                ?? throw LazadaErrorClassifier.Malformed(answer.Platform, answer.Status, envelope, "the answer's data is missing or not what the call promises");
        }
    }

    /// <summary><c>/orders/get</c>'s <c>data</c>: the orders as listed and the window's total, when given.</summary>
    public static OrderList? Orders(JsonElement root, string sortField)
    {
        if (!TryObject(root, "data", out var data))
        {
            return null;
        }

        long? total = data.TryGetProperty("countTotal", out var t) && t.ValueKind == JsonValueKind.Number && t.TryGetInt64(out var n) ? n : null;
        if (!data.TryGetProperty("orders", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            // An empty window may leave the list out.
            return total is null or 0 ? new OrderList([], total) : null;
        }

        if (list.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var orders = new List<Order>(list.GetArrayLength());
        foreach (var order in list.EnumerateArray())
        {
            if (Id(order) is not { } id || LazadaTime.Parse(Text(order, sortField)) is not { } sortTime)
            {
                return null;
            }

            orders.Add(new Order(id, sortTime.ToUnixTimeSeconds(), LazadaTime.Parse(Text(order, "created_at")), LazadaTime.Parse(Text(order, "updated_at")), Raw(order)));
        }

        return new OrderList(orders, total);
    }

    /// <summary><c>/orders/items/get</c>'s <c>data</c>: each order's <c>order_items</c> array, by order id.</summary>
    public static Dictionary<string, byte[]>? Items(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var items = new Dictionary<string, byte[]>(data.GetArrayLength(), StringComparer.Ordinal);
        foreach (var order in data.EnumerateArray())
        {
            if (Id(order) is not { } id || !order.TryGetProperty("order_items", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            items[id] = Raw(list);
        }

        return items;
    }

    /// <summary>
    /// A listed order with its items: the order's bytes as listed, <c>order_items</c> added as its last member. Null when the
    /// listed order has a member of that name already (the record would hold it twice).
    /// </summary>
    public static byte[]? WithItems(byte[] order, byte[] items)
    {
        using (var document = JsonDocument.Parse(order))
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || document.RootElement.TryGetProperty("order_items", out _))
            {
                return null;
            }
        }

        // The raw bytes of an object end with its closing brace; an empty one takes no comma.
        var close = Array.LastIndexOf(order, (byte)'}');
        var body = order.AsSpan(0, close).TrimEnd(" \t\r\n"u8);
        var member = body[^1] == (byte)'{' ? "\"order_items\":"u8 : ",\"order_items\":"u8;
        return [.. body, .. member, .. items, (byte)'}'];
    }

    /// <summary>An order's <c>order_id</c> as its exact decimal text, whether sent as a number or a string; never through a double.</summary>
    public static string? Id(JsonElement order)
    {
        if (order.ValueKind != JsonValueKind.Object || !order.TryGetProperty("order_id", out var value))
        {
            return null;
        }

        var text = value.ValueKind switch
        {
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.String => value.GetString(),
            _ => null,
        };
        return text is not null && LazadaCursor.IsId(text) ? text : null;
    }

    public static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static LazadaEnvelope Envelope(JsonElement root, IEnumerable<string?> secrets)
    {
        var code = root.TryGetProperty("code", out var c) ? c.ValueKind switch
        {
            JsonValueKind.String => c.GetString(),
            JsonValueKind.Number => c.GetRawText(),
            _ => null,
        } : null;
        var message = Text(root, "message");
        return new LazadaEnvelope(code, Text(root, "type"), message is null ? null : Secrets.Scrub(message, secrets), Text(root, "request_id"));
    }

    private static bool TryObject(JsonElement element, string name, out JsonElement value)
    {
        value = default;
        return element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out value) && value.ValueKind == JsonValueKind.Object;
    }

    private static byte[] Raw(JsonElement element) => JsonMarshal.GetRawUtf8Value(element).ToArray();

    /// <summary>A list page: its orders as listed, and the window's total when the platform gave it.</summary>
    internal sealed record OrderList(IReadOnlyList<Order> Orders, long? CountTotal);

    /// <summary>A listed order: its id, the second of the time the list is sorted by, its own times, and its bytes as listed.</summary>
    internal sealed record Order(string Id, long SortSecond, DateTimeOffset? CreateTime, DateTimeOffset? UpdateTime, byte[] Json);
}
