using Backfill.Core.Hashing;
namespace Backfill.Simulators;

/// <summary>
/// What a simulated order holds beyond its list entry (buyer, address, items, escrow, a return), derived from
/// (seed, shop, order number) alone, like the catalog: every process and every call agree. About one order in twenty
/// has a return, created one to five days after the order.
/// </summary>
internal sealed record OrderContent(
    long BuyerUserId,
    string BuyerUsername,
    long PayTime,
    string PaymentMethod,
    string ShippingCarrier,
    string Note,
    SimulatedAddress Address,
    IReadOnlyList<SimulatedItem> Items,
    SimulatedEscrow Escrow,
    SimulatedReturn? Return)
{
    /// <summary>A return is created at most this long after its order.</summary>
    public static readonly TimeSpan MaxReturnDelay = TimeSpan.FromDays(5);

    /// <summary>The share of orders that have a return.</summary>
    public const double ReturnShare = 0.05;

    private const long Day = 86_400;

    private static readonly string[] PaymentMethods = ["Credit Card", "Cash on Delivery", "ShopeePay", "Bank Transfer"];
    private static readonly string[] Carriers = ["黑貓宅急便", "7-ELEVEN", "全家 FamilyMart", "中華郵政"];
    private static readonly string[] Notes = ["", "", "請小心包裝", "Leave at the door, thanks!"];
    private static readonly string[] Names = ["王小明", "林美玲", "陳志豪", "Alice Chen"];
    private static readonly (string City, string District, string Zipcode)[] Places =
        [("台北市", "大安區", "106"), ("新北市", "板橋區", "220"), ("台中市", "西屯區", "407"), ("高雄市", "前鎮區", "806")];
    private static readonly string[] Products = ["保溫杯", "Wireless Mouse", "棉質T恤", "Phone Case \"Slim\"", "手工皂"];
    private static readonly string[] Models = ["Red", "Blue", "L", "XL", "標準款"];
    private static readonly string[] ReturnStatuses = ["REQUESTED", "PROCESSING", "ACCEPTED", "REFUND_PAID", "CLOSED"];
    private static readonly string[] ReturnReasons = ["NOT_RECEIPT", "WRONG_ITEM", "ITEM_DAMAGED", "DIFFERENT_DESCRIPTION", "CHANGE_MIND"];

    /// <summary>Whether the order has a return, without working out the rest of it (the return list looks at days of orders).</summary>
    public static bool HasReturn(int seed, string shopId, SimulatedOrder order) =>
        StableHash.Fraction(ReturnHash(seed, shopId, order)) < ReturnShare;

    public static OrderContent Of(int seed, string shopId, SimulatedOrder order)
    {
        var key = $"{shopId}/{order.OrderSn}";
        ulong Hash(long purpose, long index = -1) => StableHash.Of(seed, key, purpose, index);

        var h = Hash(1);
        var place = Places[(h >> 8) % (ulong)Places.Length];
        var name = Names[(h >> 16) % (ulong)Names.Length];
        var address = new SimulatedAddress(
            name,
            $"09{(h >> 24) % 100_000_000:D8}",
            $"{(h >> 40) % 300 + 1}號",
            place.District,
            place.City,
            place.City,
            "TW",
            place.Zipcode,
            $"{place.Zipcode}{place.City}{place.District}中山路{(h >> 40) % 300 + 1}號");

        var itemCount = (int)(Hash(2) % 4) + 1;
        var items = new List<SimulatedItem>(itemCount);
        for (var i = 0; i < itemCount; i++)
        {
            var ih = Hash(3, i);
            var original = (((ih >> 8) % 200_000) + 1_000) / 100m;
            var discounted = original - (((ih >> 28) % 20) * original / 100m);
            var itemId = (long)((ih >> 4) % 9_000_000_000) + 1_000_000_000;
            var product = Products[(ih >> 36) % (ulong)Products.Length];
            var model = Models[(ih >> 44) % (ulong)Models.Length];
            items.Add(new SimulatedItem(
                itemId,
                product,
                $"SKU-{itemId % 100_000:D5}",
                itemId * 10 + i,
                model,
                $"SKU-{itemId % 100_000:D5}-{i}",
                (int)((ih >> 52) % 5) + 1,
                original,
                decimal.Round(discounted, 2)));
        }

        var rh = ReturnHash(seed, shopId, order);
        SimulatedReturn? returned = null;
        if (StableHash.Fraction(rh) < ReturnShare)
        {
            var created = order.CreateTime + Day + (long)((rh >> 12) % (ulong)(MaxReturnDelay.TotalSeconds - Day));
            var back = items.Take((int)((rh >> 40) % (ulong)items.Count) + 1)
                .Select(item => new SimulatedReturnItem(item.ItemId, item.ModelId, (int)((rh >> 48) % (ulong)item.Quantity) + 1))
                .ToList();
            var refund = back.Sum(b => items.First(item => item.ModelId == b.ModelId).DiscountedPrice * b.Amount);
            returned = new SimulatedReturn(
                $"RT{order.OrderSn}",
                order.OrderSn,
                ReturnStatuses[(rh >> 20) % (ulong)ReturnStatuses.Length],
                created,
                created + (long)((rh >> 28) % (ulong)Day),
                refund,
                ReturnReasons[(rh >> 32) % (ulong)ReturnReasons.Length],
                back);
        }

        return new OrderContent(
            (long)(h % 90_000_000) + 10_000_000,
            $"buyer_{h % 1_000_000:x5}",
            order.CreateTime + (long)((h >> 4) % 3_600),
            PaymentMethods[(h >> 48) % (ulong)PaymentMethods.Length],
            Carriers[(h >> 52) % (ulong)Carriers.Length],
            Notes[(h >> 56) % (ulong)Notes.Length],
            address,
            items,
            IncomeOf(order, items, returned, Hash(5)),
            returned);
    }

    private static ulong ReturnHash(int seed, string shopId, SimulatedOrder order) => StableHash.Of(seed, $"{shopId}/{order.OrderSn}", 4);

    private static SimulatedEscrow IncomeOf(SimulatedOrder order, List<SimulatedItem> items, SimulatedReturn? returned, ulong hash)
    {
        var original = items.Sum(i => i.OriginalPrice * i.Quantity);
        var sellerDiscount = original - items.Sum(i => i.DiscountedPrice * i.Quantity);
        var shopeeDiscount = (hash % 5_000) / 100m;
        var shipping = (hash >> 16) % 2 == 0 ? 60m : 0m;
        var buyerTotal = order.TotalAmount;
        var commission = decimal.Round(buyerTotal * 0.05m, 2);
        var service = decimal.Round(buyerTotal * 0.02m, 2);
        var refund = -(returned?.RefundAmount ?? 0m);
        var escrow = original - sellerDiscount - commission - service - shipping + refund;
        return new SimulatedEscrow(escrow, buyerTotal, original, sellerDiscount, shopeeDiscount, commission, service, shipping, refund);
    }
}

internal sealed record SimulatedAddress(
    string Name, string Phone, string Town, string District, string City, string State, string Region, string Zipcode, string FullAddress);

internal sealed record SimulatedItem(
    long ItemId, string ItemName, string ItemSku, long ModelId, string ModelName, string ModelSku, int Quantity, decimal OriginalPrice, decimal DiscountedPrice);

internal sealed record SimulatedEscrow(
    decimal EscrowAmount,
    decimal BuyerTotalAmount,
    decimal OriginalPrice,
    decimal SellerDiscount,
    decimal ShopeeDiscount,
    decimal CommissionFee,
    decimal ServiceFee,
    decimal ActualShippingFee,
    decimal SellerReturnRefund);

/// <summary>A return of some of an order's items; times in unix seconds.</summary>
internal sealed record SimulatedReturn(
    string ReturnSn, string OrderSn, string Status, long CreateTime, long UpdateTime, decimal RefundAmount, string Reason, IReadOnlyList<SimulatedReturnItem> Items);

internal sealed record SimulatedReturnItem(long ItemId, long ModelId, int Amount);
