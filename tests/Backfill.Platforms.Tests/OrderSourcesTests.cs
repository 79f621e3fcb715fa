using Backfill.Simulators;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Backfill.Platforms.Tests;

[Trait("Category", "Integration")]
public sealed class OrderSourcesTests : IAsyncLifetime
{
    private PlatformSimulator _sim = null!;

    public async Task InitializeAsync() => _sim = await PlatformSimulator.StartAsync(PlatformHarness.SimulatorOptions());

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public void Names_AreTheConfiguredPlatforms()
    {
        using var harness = PlatformHarness.Create(_sim);

        Assert.Equal([PlatformHarness.Platform], harness.Sources.Names);
    }

    [Fact]
    public void Get_IsCaseInsensitive_AndTheSameSourceEveryTime()
    {
        using var harness = PlatformHarness.Create(_sim);

        Assert.Same(harness.Sources.Get("demo"), harness.Sources.Get("DEMO"));
        Assert.Equal("demo", harness.Sources.Get("DEMO").Platform);
    }

    [Fact]
    public void Get_UnknownPlatform_ListsTheConfiguredOnes()
    {
        using var harness = PlatformHarness.Create(_sim);

        var failure = Assert.Throws<UnknownPlatformException>(() => harness.Sources.Get("lazada"));

        Assert.Contains("Configured platforms: demo", failure.Message, StringComparison.Ordinal);
        Assert.Throws<UnknownPlatformException>(() => harness.Sources.Stats("lazada"));
    }

    [Fact]
    public void Stats_BeforeAnyCall_AreZero()
    {
        using var harness = PlatformHarness.Create(_sim);

        Assert.Equal(new PlatformCallStats(0, 0, 0, 0), harness.Stats);
    }

    [Fact]
    public void AddPlatforms_InvalidPlatform_FailsWithTheValidatorsMessages()
    {
        using var harness = PlatformHarness.Create(_sim, c => c.Remove(PlatformHarness.Key("PartnerKey")));

        var failure = Assert.Throws<OptionsValidationException>(() => harness.Sources);

        Assert.Contains("Platforms:demo:PartnerKey is required.", failure.Failures);
    }

    [Fact]
    public void AddPlatforms_NoPlatformsSection_GivesNoSources()
    {
        using var provider = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddPlatforms(new ConfigurationBuilder().Build())
            .BuildServiceProvider();

        Assert.Empty(provider.GetRequiredService<IOrderSources>().Names);
    }
}
