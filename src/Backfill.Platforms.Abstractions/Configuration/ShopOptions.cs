namespace Backfill.Platforms.Configuration;

/// <summary>One shop of a platform, bound from <c>Platforms:{name}:Shops:{shopId}</c>; it needs one token or both.</summary>
public sealed class ShopOptions
{
    /// <summary>The shop's access token. Secret. Workers sign with it until the scheduler announces a newer one.</summary>
    public string AccessToken { get; set; } = "";

    /// <summary>
    /// The shop's refresh token, read only by the scheduler, which seeds its shop registry with it (sealed under
    /// <c>Backfill:SecretKey</c>) and refreshes the shop's tokens from then on. Secret.
    /// </summary>
    public string RefreshToken { get; set; } = "";

    /// <summary>A description for logs and status output; the tokens are masked.</summary>
    public override string ToString() => $"AccessToken={Secrets.Mask(AccessToken)}, RefreshToken={Secrets.Mask(RefreshToken)}";
}
