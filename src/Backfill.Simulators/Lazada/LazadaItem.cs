using Backfill.Core.Hashing;

namespace Backfill.Simulators.Lazada;

/// <summary>One item row of a Lazada order (one row per unit, as the platform lists them).</summary>
internal sealed record LazadaItem(long OrderItemId, string Name, string Sku, string ShopSku, string Variation, decimal ItemPrice, decimal PaidPrice, string Status)
{
    private static readonly string[] Products = ["Thermal Flask 500ml", "Wireless Mouse", "Cotton T-Shirt", "Phone Case \"Slim\"", "Kaya Jam 樂"];
    private static readonly string[] Variations = ["Color:Red", "Color:Blue", "Size:L", "Size:XL", ""];

    public static IReadOnlyList<LazadaItem> Of(int seed, string seller, LazadaOrder order)
    {
        var key = "lazada-items/" + seller;
        var count = (int)(StableHash.Of(seed, key, order.OrderId) % 4) + 1;
        var items = new List<LazadaItem>(count);
        for (var i = 0; i < count; i++)
        {
            var hash = StableHash.Of(seed, key, order.OrderId, i);
            var itemPrice = (((hash >> 8) % 200_000) + 100) / 100m;
            var paidPrice = decimal.Round(itemPrice - (((hash >> 28) % 20) * itemPrice / 100m), 2);
            var sku = $"SKU-{(hash >> 36) % 100_000:D5}";
            items.Add(new LazadaItem(
                (long)((hash >> 4) | (1UL << 59)),
                Products[(hash >> 44) % (ulong)Products.Length],
                sku,
                $"{sku}-SG",
                Variations[(hash >> 52) % (ulong)Variations.Length],
                itemPrice,
                paidPrice,
                order.Status));
        }

        return items;
    }
}
