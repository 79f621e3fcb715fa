using System.Diagnostics;
using Backfill.Hosting.Diagnostics;
using Backfill.Simulators;
using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting.Tests.Diagnostics;

/// <summary>The platform rows of doctor: one signed test page per platform, against the simulator.</summary>
[Trait("Category", "Integration")]
public sealed class PlatformDoctorTests
{
    [Fact]
    public async Task APlatformWithQuotas_MakesItsTestCallWithoutAGrant_AndShowsTheQuotasInItsRow()
    {
        var options = PlatformHarness.SimulatorOptions(permitsPerSecond: 20);

        // Orders in every hour, whenever the test runs: the test page of the last hour then takes its list call and a detail call.
        options.ShopVolume[PlatformHarness.ShopId] = 20;
        await using var simulator = await PlatformSimulator.StartAsync(options);
        var values = PlatformHarness.Configuration(simulator.BaseUrl);
        values["Platforms:demo:RateLimit:Quotas:0:Calls"] = "1000";
        values["Platforms:demo:RateLimit:Quotas:0:Period"] = "1.00:00:00";
        values["Platforms:demo:RateLimit:Quotas:0:ResetTimeZone"] = "Asia/Singapore";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var watch = Stopwatch.StartNew();

        var rows = await PlatformDoctor.CheckAsync(configuration, TimeProvider.System, CancellationToken.None);

        // No scheduler grants doctor calls of the quota: waiting for a grant would end at the row's deadline.
        Assert.True(watch.Elapsed < PlatformDoctor.Deadline, $"took {watch.Elapsed}");
        var row = Assert.Single(rows);
        Assert.Equal(("platform demo", CheckStatus.Ok), (row.Check, row.Status));
        Assert.EndsWith("Quotas: 1000 per 1.00:00:00 from midnight Asia/Singapore (800 for backfills, share 0.8).", row.Detail, StringComparison.Ordinal);
    }
}
