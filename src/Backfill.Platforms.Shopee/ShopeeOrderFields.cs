namespace Backfill.Platforms.Shopee;

/// <summary>
/// The optional fields of get_order_detail, which the platform returns only when named in
/// <c>response_optional_fields</c>. A whole order is its detail with every one of them: the client asks for all, the
/// simulator answers only what it is asked for.
/// </summary>
public static class ShopeeOrderFields
{
    public const string TotalAmount = "total_amount";
    public const string BuyerUserId = "buyer_user_id";
    public const string BuyerUsername = "buyer_username";
    public const string PayTime = "pay_time";
    public const string PaymentMethod = "payment_method";
    public const string ShippingCarrier = "shipping_carrier";
    public const string Note = "note";
    public const string RecipientAddress = "recipient_address";
    public const string ItemList = "item_list";

    public static readonly IReadOnlyList<string> Optional =
        [TotalAmount, BuyerUserId, BuyerUsername, PayTime, PaymentMethod, ShippingCarrier, Note, RecipientAddress, ItemList];

    /// <summary>Every optional field, as <c>response_optional_fields</c> takes them.</summary>
    public static readonly string All = string.Join(',', Optional);
}
