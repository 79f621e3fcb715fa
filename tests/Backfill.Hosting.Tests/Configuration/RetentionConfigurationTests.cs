using Backfill.Scheduling.Retention;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Hosting.Tests.Configuration;

public sealed class RetentionConfigurationTests
{
    [Theory]
    [InlineData("12:00:00")]
    [InlineData("-1.00:00:00")]
    public void Validate_KeepFinishedJobsUnderADay_IsAnErrorNamingTheKey(string keep)
    {
        var error = Assert.Single(Validate(keep));

        Assert.StartsWith("Backfill:KeepFinishedJobs must be at least 1.00:00:00", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("00:00:00")]
    [InlineData("90.00:00:00")]
    public void Validate_KeepFinishedJobsZeroOrADayOrMore_IsFine(string? keep) => Assert.Empty(Validate(keep));

    [Fact]
    public void Validate_KeepFinishedJobsNotATimeSpan_NamesTheKey() =>
        Assert.Contains("Backfill:KeepFinishedJobs", Assert.Single(Validate("thirty days")), StringComparison.Ordinal);

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Serve_RunsTheRetentionAtStart()
    {
        await using var harness = await ServerHarness.StartAsync();

        var retention = harness.App.Services.GetRequiredService<RetentionService>();
        await Poll.Eventually(() => Task.FromResult(retention.Runs >= 1), TimeSpan.FromSeconds(30), "the retention's run at start");
    }

    private static IReadOnlyList<string> Validate(string? keep) =>
        ConfigurationCheck.Validate(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Backfill:KeepFinishedJobs"] = keep }).Build());
}
