using System.Text.Json;

namespace Backfill.Cli.Tests;

public sealed class ShopsCommandTests
{
    [Theory]
    [InlineData("shops")]
    [InlineData("shops add")]
    [InlineData("shops enable")]
    [InlineData("shops disable")]
    [InlineData("shops remove")]
    public async Task Help_HasExamplesAndTheScriptingOptions(string verb)
    {
        var (code, stdout, _) = await CliRunner.RunAsync([.. verb.Split(' '), "--help"]);

        Assert.Equal(0, code);
        Assert.Contains("Examples:", stdout, StringComparison.Ordinal);
        Assert.Contains($"backfill {verb} ", stdout, StringComparison.Ordinal);
        Assert.Contains("--json", stdout, StringComparison.Ordinal);
        Assert.Contains("--server", stdout, StringComparison.Ordinal);
        if (verb != "shops")
        {
            Assert.Contains("--token", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AddHelp_WarnsThatATokenOnTheCommandLineShowsInTheProcessList()
    {
        var (_, stdout, _) = await CliRunner.RunAsync("shops", "add", "--help");

        Assert.Contains("process list", stdout, StringComparison.Ordinal);
        Assert.Contains("--refresh-token -", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("shops add demo", "Required argument missing for command: 'add'.")]
    [InlineData("shops add demo 1001", "Option '--refresh-token' is required.")]
    [InlineData("shops enable demo", "Required argument missing for command: 'enable'.")]
    [InlineData("shops frobnicate demo 1001", "Unrecognized command or argument 'frobnicate'.")]
    public async Task BadUsage_Exits2AndSaysWhy(string args, string error)
    {
        var (code, _, stderr) = await CliRunner.RunAsync(args.Split(' '));

        Assert.Equal(2, code);
        Assert.Contains(error, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_ReadingTheTokenFromAnEmptyStdin_Exits2WithoutCallingTheServer()
    {
        var (code, _, stderr) = await CliRunner.RunWithInputAsync("  \n", "shops", "add", "demo", "1001", "--refresh-token", "-", "--server", CliRunner.Unreachable());

        Assert.Equal(2, code);
        Assert.Contains("error: --refresh-token -: stdin holds no token", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("shops")]
    [InlineData("shops --platform demo")]
    [InlineData("shops enable demo 1001")]
    [InlineData("shops remove demo 1001")]
    public async Task ServerUnreachable_Exits1WithOneClearLine(string args)
    {
        var server = CliRunner.Unreachable();

        var (code, stdout, stderr) = await CliRunner.RunAsync([.. args.Split(' '), "--server", server]);

        Assert.Equal((1, ""), (code, stdout));
        Assert.Equal($"error: cannot reach the scheduler at {server} (is 'backfill serve' running?)", stderr.Trim());
    }
}

/// <summary>The verbs against a real server whose fleet has a secret key: exit codes, the tables, the JSON, and no token anywhere.</summary>
[Trait("Category", "Integration")]
public sealed class ShopsCommandServerTests(KeyedServerFixture fixture) : IClassFixture<KeyedServerFixture>
{
    private const string Refresh = "cli-refresh-token-secret-64001";
    private const string Access = "cli-access-token-secret-64002";

    private string Server => fixture.Harness.BaseUrl.ToString();

    [Fact]
    public async Task Add_FromStdin_ThenTheTable_TheJson_DisableEnableRemove_AndNoTokenInAnyOutput()
    {
        var outputs = new List<string>();
        async Task<(int Code, string Out, string Error)> Run(string input, params string[] args)
        {
            var result = await CliRunner.RunWithInputAsync(input, [.. args, "--server", Server]);
            outputs.Add($"{result.Out}\n{result.Error}");
            return result;
        }

        var added = await Run($"{Refresh}\n", "shops", "add", "demo", "64001", "--refresh-token", "-", "--name", "North store");
        Assert.True(added.Code == 0, added.Error);
        Assert.Equal("shop demo/64001 added: active; no access token given: the scheduler asks the platform for one now.", added.Out.Trim());
        Assert.Contains(("demo", "64001", (long?)null), fixture.Refreshes.Requests);

        var withAccess = await Run("", "shops", "add", "demo", "64002", "--refresh-token", Refresh + "-b", "--access-token", Access, "--json");
        Assert.True(withAccess.Code == 0, withAccess.Error);
        Assert.Equal(1, JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(withAccess.Out)).GetProperty("tokenVersion").GetInt64());

        var table = await Run("", "shops", "--platform", "demo");
        Assert.Equal(0, table.Code);
        Assert.Matches(@"│ demo\s*│ 64001 │ North store\s*│ active\s*│ api\s*│", table.Out);
        Assert.Matches(@"│ demo\s*│ 30001 │\s*│ active\s*│ configuration │", table.Out);

        var json = await Run("", "shops", "--json");
        Assert.Equal(0, json.Code);
        var shops = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(json.Out)).GetProperty("shops").EnumerateArray().ToList();
        Assert.Contains(shops, s => s.GetProperty("shop").GetString() == "64001" && s.GetProperty("name").GetString() == "North store");

        var disabled = await Run("", "shops", "disable", "demo", "64001");
        Assert.Equal((0, "shop demo/64001 is disabled: no new job of it, and no refresh of its tokens."), (disabled.Code, disabled.Out.Trim()));
        var refused = await Run("", "start", "--platform", "demo", "--shop", "64001", "--from", "2021-05-01", "--to", "2021-05-03");
        Assert.Equal(2, refused.Code);
        Assert.Contains("Shop 64001 of platform demo is disabled: enable it with 'backfill shops enable demo 64001'.", refused.Error, StringComparison.Ordinal);
        var enabled = await Run("", "shops", "enable", "demo", "64001", "--json");
        Assert.Equal("active", JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(enabled.Out)).GetProperty("state").GetString());

        var removed = await Run("", "shops", "remove", "demo", "64001");
        Assert.Equal((0, "shop demo/64001 removed, with its tokens."), (removed.Code, removed.Out.Trim()));
        var again = await Run("", "shops", "remove", "demo", "64001");
        Assert.Equal(1, again.Code);
        Assert.Contains("error: No shop '64001' is registered for platform demo", again.Error, StringComparison.Ordinal);
        var unknownPlatform = await Run("", "shops", "--platform", "lazada");
        Assert.Equal(2, unknownPlatform.Code);
        Assert.Contains("No platform 'lazada' is configured; configured: demo.", unknownPlatform.Error, StringComparison.Ordinal);
        var badShop = await Run("", "shops", "add", "demo", "64x", "--refresh-token", Refresh);
        Assert.Equal(2, badShop.Code);
        Assert.Contains("a Shopee shop id is a decimal number", badShop.Error, StringComparison.Ordinal);

        var everything = string.Join('\n', outputs.Concat(fixture.Logs.Lines));
        Assert.False(ShopsTestSupport.Holds(everything, [Refresh, Access], out var found), found);

        // At rest, in the LiteDB file and its log, the tokens are sealed; the shop's name, which is no secret, is there to find.
        using var files = new MemoryStream();
        foreach (var file in Directory.EnumerateFiles(fixture.Harness.Configuration["Backfill:DataDirectory"]!, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            await stream.CopyToAsync(files);
        }

        var stored = System.Text.Encoding.UTF8.GetString(files.ToArray());
        Assert.Contains("North store", stored, StringComparison.Ordinal);
        Assert.False(ShopsTestSupport.Holds(stored, [Refresh, Access], out var atRest), atRest);
    }

    [Fact]
    public async Task Remove_WhileItsJobRuns_Exits1NamingTheJob()
    {
        var (code, _, error) = await CliRunner.RunAsync("shops", "add", "demo", "64003", "--refresh-token", Refresh, "--server", Server);
        Assert.True(code == 0, error);
        var started = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "64003", "--from", "2021-06-01", "--to", "2021-06-03", "--json", "--server", Server);
        var job = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(started.Out)).GetProperty("job").GetString();

        var removed = await CliRunner.RunAsync("shops", "remove", "demo", "64003", "--server", Server);

        Assert.Equal(1, removed.Code);
        Assert.Contains($"error: Shop demo/64003 cannot be removed while jobs of it are running or paused: {job}.", removed.Error, StringComparison.Ordinal);
    }
}
