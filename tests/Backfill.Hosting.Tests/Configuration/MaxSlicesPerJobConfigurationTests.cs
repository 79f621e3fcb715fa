using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting.Tests.Configuration;

public sealed class MaxSlicesPerJobConfigurationTests
{
    [Theory]
    [InlineData("1")]
    [InlineData("200000")]
    [InlineData("2000000")]
    public void Validate_AWholeNumberFromOneToTwoMillion_IsFine(string value) => Assert.Empty(Validate(value));

    [Theory]
    [InlineData("0", "Backfill:MaxSlicesPerJob must be between 1 and 2,000,000 (got 0)")]
    [InlineData("-5", "Backfill:MaxSlicesPerJob must be between 1 and 2,000,000 (got -5)")]
    [InlineData("2000001", "Backfill:MaxSlicesPerJob must be between 1 and 2,000,000 (got 2000001)")]
    [InlineData("lots", "Backfill:MaxSlicesPerJob")]
    public void Validate_AnythingElse_NamesTheKey(string value, string error) =>
        Assert.Contains(Validate(value), e => e.Contains(error, StringComparison.Ordinal));

    private static IReadOnlyList<string> Validate(string value) =>
        ConfigurationCheck.Validate(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Backfill:MaxSlicesPerJob"] = value }).Build());
}
