namespace Backfill.Platforms.Lazada;

/// <summary>The API names the adapter calls: each is the path that follows the base address (<c>…/rest</c>) and is signed with it.</summary>
internal static class LazadaPaths
{
    public const string OrderList = "/orders/get";
    public const string OrderItems = "/orders/items/get";

    /// <summary>The token refresh: an app call, signed without an access token.</summary>
    public const string TokenRefresh = "/auth/token/refresh";
}
