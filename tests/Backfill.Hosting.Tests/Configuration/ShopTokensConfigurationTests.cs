using Backfill.Core.Secrets;
using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting.Tests.Configuration;

public sealed class ShopTokensConfigurationTests
{
    private const string Refresh = "config-refresh-token-secret-1";

    [Fact]
    public void Validate_ARefreshTokenBesideTheAccessToken_IsFine_WithOrWithoutAKey()
    {
        Assert.Empty(Validate(("Platforms:demo:Shops:10001:AccessToken", "a"), ("Platforms:demo:Shops:10001:RefreshToken", Refresh)));
        Assert.Empty(Validate(("Platforms:demo:Shops:10001:AccessToken", "a"), ("Platforms:demo:Shops:10001:RefreshToken", Refresh), ("Backfill:SecretKey", SecretBox.NewKey())));
    }

    [Fact]
    public void Validate_ARefreshTokenAlone_NeedsTheSecretKey_AndSaysSo()
    {
        Assert.Empty(Validate(("Platforms:demo:Shops:10001:RefreshToken", Refresh), ("Backfill:SecretKey", SecretBox.NewKey())));
        var errors = Validate(("Platforms:demo:Shops:10001:RefreshToken", Refresh));

        Assert.Equal(
            ["Platforms:demo:Shops:10001 has a RefreshToken but no AccessToken: set Backfill:SecretKey (32 random bytes, base64, e.g. from 'openssl rand -base64 32'; the same on every process) so the scheduler can buy its access tokens, or give its AccessToken."],
            errors);
    }

    [Theory]
    [InlineData("not-a-key-at-all")]
    [InlineData("c2hvcnQ=")]
    public void Validate_AnUnusableSecretKey_NamesTheKey_WithoutQuotingIt(string key)
    {
        var error = Assert.Single(Validate(("Backfill:SecretKey", key)));

        Assert.StartsWith("Backfill:SecretKey is not usable: it must be 32 random bytes in base64", error, StringComparison.Ordinal);
        Assert.DoesNotContain(key, error, StringComparison.Ordinal);
    }

    private static IReadOnlyList<string> Validate(params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?>
        {
            ["Platforms:demo:Kind"] = "shopee",
            ["Platforms:demo:BaseUrl"] = "http://127.0.0.1:5090",
            ["Platforms:demo:PartnerId"] = "1",
            ["Platforms:demo:PartnerKey"] = "k",
            ["Platforms:demo:RateLimit:PermitsPerSecond"] = "10",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return ConfigurationCheck.Validate(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
    }
}
