using System.Text.Json;

namespace Backfill.Cli.Tests;

/// <summary><c>backfill demo</c>: its choice of platforms, and a run of both in process with their own simulators, Kafka and LiteDB file.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task Demo_AnUnknownPlatform_IsAUsageErrorNamingTheKnownOnes()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("demo", "--platforms", "shopee,ebay");

        Assert.Equal(2, code);
        Assert.Contains("error: --platforms: unknown platform 'ebay'; the demo simulates shopee, lazada.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_LazadaAskedForMoreThanOrders_IsAUsageErrorBeforeAnythingStarts()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("demo", "--platforms", "shopee,lazada", "--data", "orders,finance");

        Assert.Equal(2, code);
        Assert.Contains("error: --data: lazada pulls orders only, not finance", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("simulator at", stderr, StringComparison.Ordinal);
    }

    [Fact(Timeout = 180_000)]
    [Trait("Category", "Integration")]
    public async Task Demo_ShopeeAndLazada_ReportsBothPlatformsComplete_AndExits0()
    {
        var dir = Directory.CreateTempSubdirectory("backfill-demo-").FullName;
        try
        {
            var (code, stdout, stderr) = await CliRunner.RunAsync(
                "demo", "--platforms", "shopee,lazada", "--days", "2", "--release-every", "00:00:00.200", "--json", $"--Backfill:DataDirectory={dir}");

            Assert.True(code == 0, stderr);
            var report = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout));
            Assert.True(report.GetProperty("complete").GetBoolean(), stdout);
            var platforms = report.GetProperty("platforms").EnumerateArray().ToList();
            Assert.Equal(["shopee", "lazada"], platforms.Select(p => p.GetProperty("platform").GetString()));
            foreach (var platform in platforms)
            {
                var run = platform.GetProperty("run");
                var orders = run.GetProperty("orders");
                Assert.True(platform.GetProperty("complete").GetBoolean());
                Assert.Equal("succeeded", run.GetProperty("state").GetString());
                Assert.True(orders.GetProperty("expected").GetInt64() > 0);
                Assert.Equal(orders.GetProperty("expected").GetInt64(), orders.GetProperty("unique").GetInt64());
                Assert.Equal(4, run.GetProperty("slices").GetProperty("succeeded").GetInt32());
                Assert.Equal(0, platform.GetProperty("simulator").GetProperty("throttled").GetInt64());
                Assert.Equal(0, platform.GetProperty("simulator").GetProperty("quotaRefused").GetInt64());
            }

            Assert.StartsWith("demo-", platforms[0].GetProperty("run").GetProperty("job").GetString(), StringComparison.Ordinal);
            Assert.StartsWith("lazada-", platforms[1].GetProperty("run").GetProperty("job").GetString(), StringComparison.Ordinal);
            Assert.Contains("Every platform's job saved every record (2 platforms).", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
