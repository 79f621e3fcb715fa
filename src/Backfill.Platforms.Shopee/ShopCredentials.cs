namespace Backfill.Platforms.Shopee;

/// <summary>Which shop a call is for and its token; travels with the request to the signing handler.</summary>
internal sealed record ShopCredentials(long ShopId, string AccessToken)
{
    // Records print every member; the token must not reach logs.
    public override string ToString() => $"ShopCredentials {{ ShopId = {ShopId}, AccessToken = *** }}";
}
