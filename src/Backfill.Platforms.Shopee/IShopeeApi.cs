using Refit;

namespace Backfill.Platforms.Shopee;

/// <summary>
/// The shop-level endpoints (orders, escrow, returns) and the token refresh. Common parameters (partner_id, timestamp, access_token, shop_id, sign) are added by
/// <see cref="ShopeeSigningHandler"/> from the shop parameter. Raw responses, because the platform reports
/// errors in the body of any status and <see cref="ShopeeResponseReader"/> classifies them.
/// </summary>
internal interface IShopeeApi
{
    [Get(ShopeePaths.OrderList)]
    Task<HttpResponseMessage> GetOrderListAsync(
        [Property(ShopeeSigningHandler.ShopProperty)] ShopCredentials shop,
        [AliasAs("time_range_field")] string timeRangeField,
        [AliasAs("time_from")] long timeFrom,
        [AliasAs("time_to")] long timeTo,
        [AliasAs("page_size")] int pageSize,
        [AliasAs("cursor")] string cursor,
        CancellationToken cancellationToken);

    [Get(ShopeePaths.OrderDetail)]
    Task<HttpResponseMessage> GetOrderDetailAsync(
        [Property(ShopeeSigningHandler.ShopProperty)] ShopCredentials shop,
        [AliasAs("order_sn_list")] string orderSnList,
        [AliasAs("response_optional_fields")] string responseOptionalFields,
        CancellationToken cancellationToken);

    /// <summary>One order's escrow (finance) detail: one order per call.</summary>
    [Get(ShopeePaths.EscrowDetail)]
    Task<HttpResponseMessage> GetEscrowDetailAsync(
        [Property(ShopeeSigningHandler.ShopProperty)] ShopCredentials shop,
        [AliasAs("order_sn")] string orderSn,
        CancellationToken cancellationToken);

    /// <summary>The returns created in a range, page by page from page 0.</summary>
    [Get(ShopeePaths.ReturnList)]
    Task<HttpResponseMessage> GetReturnListAsync(
        [Property(ShopeeSigningHandler.ShopProperty)] ShopCredentials shop,
        [AliasAs("page_no")] int pageNo,
        [AliasAs("page_size")] int pageSize,
        [AliasAs("create_time_from")] long createTimeFrom,
        [AliasAs("create_time_to")] long createTimeTo,
        CancellationToken cancellationToken);

    /// <summary>The token refresh: a public call (no shop credentials), its JSON body built by the caller.</summary>
    [Post(ShopeePaths.AccessToken)]
    Task<HttpResponseMessage> GetAccessTokenAsync([Body] HttpContent body, CancellationToken cancellationToken);
}
