namespace Backfill.Platforms.Shopee;

/// <summary>The API paths both the client and the simulator serve.</summary>
public static class ShopeePaths
{
    public const string OrderList = "/api/v2/order/get_order_list";
    public const string OrderDetail = "/api/v2/order/get_order_detail";
    public const string EscrowDetail = "/api/v2/payment/get_escrow_detail";
    public const string ReturnList = "/api/v2/returns/get_return_list";

    /// <summary>The token refresh: a public call, signed without a token or a shop.</summary>
    public const string AccessToken = "/api/v2/auth/access_token/get";
}
