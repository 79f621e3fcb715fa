using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting.Tests.Configuration;

/// <summary>A negative back-off would make every retry of a message fail before it is handled or parked, so it is refused at start.</summary>
public sealed class InfrastructureBackoffConfigurationTests
{
    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:01")]
    [InlineData("00:05:00")]
    public void Validate_ABackoffOfZeroOrMore_IsFine(string value) =>
        Assert.DoesNotContain(Validate(value), e => e.Contains("Worker:InfrastructureBackoff", StringComparison.Ordinal));

    [Fact]
    public void Validate_ANegativeBackoff_NamesTheKey() =>
        Assert.Contains("Worker:InfrastructureBackoff must not be negative (got -00:00:01).", Validate("-00:00:01"));

    private static IReadOnlyList<string> Validate(string value) =>
        ConfigurationCheck.Validate(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Worker:InfrastructureBackoff"] = value }).Build());
}
