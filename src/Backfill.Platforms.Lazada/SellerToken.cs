namespace Backfill.Platforms.Lazada;

/// <summary>The access token a seller call is signed with; travels with the request to the signing handler. The token alone names the seller.</summary>
internal sealed record SellerToken(string AccessToken)
{
    // Records print every member; the token must not reach logs.
    public override string ToString() => "SellerToken { AccessToken = *** }";
}
