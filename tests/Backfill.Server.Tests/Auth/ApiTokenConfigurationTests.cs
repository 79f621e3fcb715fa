using Backfill.Hosting;
using Microsoft.Extensions.Configuration;

namespace Backfill.Server.Tests.Auth;

public sealed class ApiTokenConfigurationTests
{
    [Fact]
    public void Validate_TokenShorterThan16_IsAnErrorNamingTheKeyButNotTheToken()
    {
        var errors = Validate("short-secret-15");

        var error = Assert.Single(errors);
        Assert.StartsWith("Backfill:ApiToken must be at least 16 characters (got 15)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("short-secret-15", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0123456789abcdef")]
    public void Validate_NoTokenOrLongEnough_IsFine(string? token) => Assert.Empty(Validate(token));

    private static IReadOnlyList<string> Validate(string? token) =>
        ConfigurationCheck.Validate(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Backfill:ApiToken"] = token }).Build());
}
