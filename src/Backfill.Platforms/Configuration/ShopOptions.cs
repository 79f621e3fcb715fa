namespace Backfill.Platforms.Configuration;

/// <summary>One shop of a platform, bound from <c>Platforms:{name}:Shops:{shopId}</c>.</summary>
public sealed class ShopOptions
{
    /// <summary>The shop's access token. Secret; required for every configured shop.</summary>
    public string AccessToken { get; set; } = "";

    /// <summary>A description for logs and status output; the token is masked.</summary>
    public override string ToString() => $"AccessToken={Secrets.Mask(AccessToken)}";
}
