namespace Backfill.Platforms.Shopee;

/// <summary>The body of a token refresh. Secret: <see cref="ToString"/> masks the token.</summary>
public sealed record AccessTokenRequest(string RefreshToken, long PartnerId, long ShopId)
{
    public override string ToString() => $"AccessTokenRequest {{ RefreshToken = ***, PartnerId = {PartnerId}, ShopId = {ShopId} }}";
}

/// <summary>
/// A refresh's answer: the fields sit beside <c>error</c> at the top, not under <c>response</c>. Read only once the
/// error fields said it succeeded. <paramref name="ExpireIn"/> is the access token's life in seconds. Secret:
/// <see cref="ToString"/> masks the tokens.
/// </summary>
public sealed record AccessTokenResponse(
    string AccessToken, string RefreshToken, long ExpireIn, long? PartnerId = null, long? ShopId = null, string? Error = "", string? Message = "", string? RequestId = null)
{
    public override string ToString() => $"AccessTokenResponse {{ AccessToken = ***, RefreshToken = ***, ExpireIn = {ExpireIn}, ShopId = {ShopId}, RequestId = {RequestId} }}";
}
