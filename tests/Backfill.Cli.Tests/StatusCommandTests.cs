using System.Net.Http.Json;
using System.Text.Json;

namespace Backfill.Cli.Tests;

public sealed class StatusCommandTests
{
    [Fact]
    public async Task Status_WithoutJob_Exits2()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("status");

        Assert.Equal(2, code);
        Assert.Contains("Try 'backfill status --help'.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_ServerUnreachable_Exits1WithOneClearLine()
    {
        var server = CliRunner.Unreachable();

        var (code, _, stderr) = await CliRunner.RunAsync("status", "demo-1", "--server", server);

        Assert.Equal(1, code);
        Assert.Equal($"error: cannot reach the scheduler at {server} (is 'backfill serve' running?)", stderr.Trim());
    }
}

[Trait("Category", "Integration")]
public sealed class StatusCommandServerTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string[] Shops = ["30001", "30002"];

    private string Server => fixture.Harness.BaseUrl.ToString();

    [Fact]
    public async Task Status_Json_PrintsTheServersObjectAsTheLastLine()
    {
        var id = await CreateAsync();
        var (code, stdout, stderr) = await CliRunner.RunAsync("status", id, "--json", "--server", Server);
        var server = await fixture.Harness.Http.GetStringAsync($"/api/jobs/{id}");

        Assert.True(code == 0, stderr);
        var printed = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout));
        Assert.Equal(id, printed.GetProperty("job").GetString());
        Assert.Equal(4, printed.GetProperty("slices").GetProperty("total").GetInt32());
        Assert.Equal(JsonSerializer.Deserialize<JsonElement>(server).GetProperty("from").GetString(), printed.GetProperty("from").GetString());
        Assert.DoesNotContain('\n', CliRunner.LastLine(stdout));
    }

    [Fact]
    public async Task Status_Human_ShowsTheJobAndItsSliceTotals()
    {
        var id = await CreateAsync();

        var (code, stdout, stderr) = await CliRunner.RunAsync("status", id, "--server", Server);

        Assert.True(code == 0, stderr);
        Assert.Contains($"{id}: running", stdout, StringComparison.Ordinal);
        Assert.Contains("demo, shops 30001, 30002, days [2024-06-01, 2024-06-03)", stdout, StringComparison.Ordinal);
        Assert.Matches(@"total\s*│\s*4\s*│", stdout);
        Assert.Contains("orders: 0 emitted, 0 saved", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_UnknownJob_Exits1()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("status", "no-such-job", "--server", Server);

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal("error: no job 'no-such-job'", stderr.Trim());
    }

    private async Task<string> CreateAsync()
    {
        using var response = await fixture.Harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = Shops, from = "2024-06-01", to = "2024-06-03", allowOverlap = true });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
    }
}
