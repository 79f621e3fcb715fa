using Backfill.Core.Secrets;
using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting.Tests.Configuration;

public sealed class SecretKeyConfigurationTests
{
    [Theory]
    [InlineData("not-base64-but-a-secret-value")]
    [InlineData("c2hvcnQ=")]
    [InlineData("   ")]
    public void SecretKey_NotUsable_IsRefusedNamingTheKey_NeverQuotingIt(string key)
    {
        var errors = ConfigurationCheck.Validate(With(("Backfill:SecretKey", key)));

        var error = Assert.Single(errors);
        Assert.StartsWith("Backfill:SecretKey is not usable: ", error, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Trim().Length == 0 ? "\"   \"" : key, error, StringComparison.Ordinal);
    }

    [Fact]
    public void SecretKey_OfThirtyTwoBytes_IsValid_AndUnsetIsValidToo()
    {
        Assert.Empty(ConfigurationCheck.Validate(With(("Backfill:SecretKey", SecretBox.NewKey()))));
        Assert.Empty(ConfigurationCheck.Validate(With(("Backfill:SecretKey", ""))));
        Assert.Empty(ConfigurationCheck.Validate(With()));
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    [InlineData("01:00:00.001")]
    public void TokenWait_OutsideItsRange_IsRefused(string value) =>
        Assert.Contains(
            $"Worker:TokenWait must be positive and at most 01:00:00 (got {TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture)}).",
            ConfigurationCheck.Validate(With(("Worker:TokenWait", value))));

    private static IConfiguration With(params (string Key, string Value)[] overrides)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (key, value) in overrides)
        {
            settings[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }
}
