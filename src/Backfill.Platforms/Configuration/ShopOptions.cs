namespace Backfill.Platforms.Configuration;

/// <summary>One shop of a platform, bound from <c>Platforms:{name}:Shops:{shopId}</c>.</summary>
public sealed class ShopOptions
{
    /// <summary>The shop's access token. Secret; required for every configured shop.</summary>
    public string AccessToken { get; set; } = "";

    /// <summary>
    /// The shop's refresh token, for the scheduler to refresh its access token (with <c>Backfill:SecretKey</c> set). Secret;
    /// seeds the shop registry once: the rotated ones live in the registry, sealed.
    /// </summary>
    public string? RefreshToken { get; set; }

    /// <summary>A description for logs and status output; the tokens are masked.</summary>
    public override string ToString() => $"AccessToken={Secrets.Mask(AccessToken)}, RefreshToken={Secrets.Mask(RefreshToken)}";
}
