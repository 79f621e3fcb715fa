using System.Text.Json;
using Backfill.Core.Shops;
using Backfill.Simulators;
using Backfill.Storage;

namespace Backfill.Cli.Tests;

/// <summary><c>backfill run</c> in process against the simulator, with its own embedded Kafka and LiteDB file.</summary>
[Trait("Category", "Integration")]
public sealed class RunCommandTests
{
    [Fact(Timeout = 120_000)]
    public async Task Run_APlatformNamedInAnotherCase_StoresTheConfiguredSpelling_AndEnds()
    {
        // Named options and the store compare names as written: a job of "DEMO" got no platform settings and never ended,
        // and its order ids (platform:shop:order_sn) would not be those of "demo".
        await using var simulator = await PlatformSimulator.StartAsync(new SimulatorOptions
        {
            PermitsPerSecond = 40,
            PartnerId = 1000001,
            PartnerKey = DoctorFixture.PartnerKey,
            AccessTokens = new Dictionary<string, string> { ["10001"] = "demo-token-10001" },
        });
        var dir = Directory.CreateTempSubdirectory("backfill-run-").FullName;
        try
        {
            var (code, stdout, stderr) = await CliRunner.RunAsync(
                "run", "--platform", "DEMO", "--shop", "10001", "--from", "2024-03-01", "--to", "2024-03-02", "--release-every", "00:00:00.100", "--json",
                $"--Platforms:demo:BaseUrl={simulator.BaseUrl}", $"--Backfill:DataDirectory={dir}");

            Assert.True(code == 0, stderr);
            var summary = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout));
            Assert.StartsWith("demo-20240301-20240302-", summary.GetProperty("job").GetString(), StringComparison.Ordinal);
            Assert.Equal("succeeded", summary.GetProperty("state").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact(Timeout = 120_000)]
    public async Task Run_AShopTheRegistryHoldsDisabled_Exits2NamingItAndItsState()
    {
        var dir = Directory.CreateTempSubdirectory("backfill-run-").FullName;
        try
        {
            using (var db = new BackfillDatabase(Path.Combine(dir, "backfill.db")))
            {
                new ShopStore(db).Save(new ShopRecord { Id = ShopRecord.MakeId("demo", "10001"), Platform = "demo", Shop = "10001", State = ShopState.Disabled });
            }

            var (code, _, stderr) = await CliRunner.RunAsync(
                "run", "--platform", "demo", "--shop", "10001", "--from", "2024-03-01", "--to", "2024-03-02", $"--Backfill:DataDirectory={dir}");

            Assert.Equal(2, code);
            Assert.Contains("error: Shop 10001 of platform demo is disabled: enable it with 'backfill shops enable demo 10001'.", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
