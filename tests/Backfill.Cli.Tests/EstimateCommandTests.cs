using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Cli.Tests;

public sealed class EstimateCommandTests
{
    [Theory]
    [InlineData("estimate --platform demo --days 3", "Option '--shop' is required.", "estimate")]
    [InlineData("estimate --platform demo --shop 1", "Give either --from and --to, or --days.", "estimate")]
    [InlineData("estimate --platform demo --shop 1 --days 1 --release-every 0", "--release-every: '0' is not a cadence: write auto or HH:MM:SS", "estimate")]
    [InlineData("start --platform demo --shop 1 --dry-run", "Give either --from and --to, or --days.", "start")]
    public async Task BadUsage_Exits2AndSaysWhy(string args, string error, string verb)
    {
        var (code, _, stderr) = await CliRunner.RunAsync(args.Split(' '));

        Assert.Equal(2, code);
        Assert.Contains(error, stderr, StringComparison.Ordinal);
        Assert.Contains($"Try 'backfill {verb} --help'.", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("estimate")]
    [InlineData("start --dry-run")]
    public async Task ServerUnreachable_Exits1(string verb)
    {
        var server = CliRunner.Unreachable();

        var (code, stdout, stderr) = await CliRunner.RunAsync([.. verb.Split(' '), "--platform", "demo", "--shop", "1", "--days", "1", "--server", server]);

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal($"error: cannot reach the scheduler at {server} (is 'backfill serve' running?)", stderr.Trim());
    }
}

[Trait("Category", "Integration")]
public sealed class EstimateCommandServerTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string[] EstimatedShops = ["50003"];

    private string Server => fixture.Harness.BaseUrl.ToString();

    [Fact]
    public async Task Estimate_Human_ShowsTheShopsTheCallsAndWhatDecidesTheDuration()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("estimate", "--platform", "demo", "--shop", "50001", "--shop", "50002", "--from", "2024-05-01", "--to", "2024-05-08", "--release-every", "00:05:00", "--slices-per-release", "1", "--server", Server);

        Assert.True(code == 0, stderr);
        Assert.Contains("demo, shops 50001, 50002, days [2024-05-01, 2024-05-08) (estimate only: nothing created)", stdout, StringComparison.Ordinal);
        Assert.Matches(@"50001\s*│\s*7\s*│\s*9\s*│\s*default", stdout);
        Assert.Contains("slices: 14, expected calls: 126 (orders 126 assumed); orders makes the most", stdout, StringComparison.Ordinal);
        Assert.Contains("expected duration: 35 min 0 s, set by the gradual release (release bound 35 min 0 s, rate bound 3 s)", stdout, StringComparison.Ordinal);
        Assert.Contains("'default' assumes 300 orders per shop-day", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(fixture.Harness.App.Services.GetRequiredService<JobStore>().Jobs(), j => j.Shops.Contains("50001"));
    }

    [Theory]
    [InlineData("estimate")]
    [InlineData("start --dry-run")]
    public async Task Json_LastLineIsTheServersEstimate_AndNothingIsCreated(string verb)
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync([.. verb.Split(' '), "--platform", "demo", "--shop", "50003", "--days", "5", "--json", "--server", Server]);

        Assert.True(code == 0, stderr);
        var json = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout));
        using var asked = await fixture.Harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = EstimatedShops, days = 5, dryRun = true });
        var direct = await asked.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(direct.EnumerateObject().Select(p => p.Name), json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(5, json.GetProperty("slices").GetInt32());
        Assert.DoesNotContain(fixture.Harness.App.Services.GetRequiredService<JobStore>().Jobs(), j => j.Shops.Contains("50003"));
    }

    [Fact]
    public async Task Estimate_RefusedByTheServer_Exits2WithTheProblemDetail()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("estimate", "--platform", "nope", "--shop", "1", "--days", "1", "--server", Server);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal("error: Unknown platform 'nope'. Configured platforms: demo.", stderr.Trim());
    }
}
