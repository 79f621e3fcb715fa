using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Backfill.Server.Tests.Jobs;

/// <summary>
/// What a job may be made of, checked when it is asked for: only shops configured for the platform, and at most
/// <c>Backfill:MaxSlicesPerJob</c> slices (100 here), whether created, estimated or started from the CLI.
/// </summary>
[Trait("Category", "Integration")]
public sealed class JobRequestLimitsTests : IAsyncLifetime
{
    private static readonly string[] SomeUnknown = ["30001", "99901", "99902"];

    private ServerHarness? _harness;

    private ServerHarness Harness => _harness!;

    public async Task InitializeAsync() =>
        _harness = await ServerHarness.StartAsync(settings: new Dictionary<string, string?> { ["Backfill:MaxSlicesPerJob"] = "100" });

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_ShopsNotConfiguredForThePlatform_Is400NamingThem_AndCreatesNothing(bool dryRun)
    {
        using var response = await Harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = SomeUnknown, days = 2, dryRun });

        var problem = await JobControlApiTests.AssertProblem(response, HttpStatusCode.BadRequest,
            "2 shops 99901, 99902 are not known to platform demo: a shop is configured under Platforms:demo:Shops:{id}, or added with 'backfill shops add demo ID --refresh-token -'. Known: 30001, 30002, 40001");
        Assert.Equal(["shops"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, await JobCountAsync());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_MoreSlicesThanAJobMayHave_Is400SayingHowToSplit_AndCreatesNothing(bool dryRun)
    {
        using var response = await Harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = ServerHarness.Shops, from = "2024-01-01", to = "2024-03-01", dryRun });

        var problem = await JobControlApiTests.AssertProblem(response, HttpStatusCode.BadRequest,
            "The job would have 120 slices (2 shop(s) × 60 day(s)); at most 100 are allowed in one job (Backfill:MaxSlicesPerJob). " +
            "Split it into several jobs: at most 50 day(s) per job for these 2 shop(s), or at most 1 shop(s) per job over these days.");
        Assert.Equal(["slices"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, await JobCountAsync());
    }

    [Fact]
    public async Task Post_AsManySlicesAsAllowed_IsCreated()
    {
        using var response = await Harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = ServerHarness.Shops, from = "2024-01-01", to = "2024-02-20", releaseEvery = "01:00:00" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var status = await Harness.Http.GetFromJsonAsync<JsonElement>(response.Headers.Location);
        Assert.Equal(100, status.GetProperty("slices").GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("start")]
    [InlineData("estimate")]
    public async Task Cli_AnUnknownShopOrTooManySlices_Exits2WithTheReason(string verb)
    {
        var server = Harness.BaseUrl.ToString();

        var unknown = await CliRunner.RunAsync(verb, "--platform", "demo", "--shop", "99903", "--days", "1", "--server", server);
        var tooLarge = await CliRunner.RunAsync(verb, "--platform", "demo", "--shop", "30001", "--days", "101", "--server", server);

        Assert.Equal((2, ""), (unknown.Code, unknown.Out));
        Assert.Contains("Shop 99903 is not known to platform demo", unknown.Error, StringComparison.Ordinal);
        Assert.Equal((2, ""), (tooLarge.Code, tooLarge.Out));
        Assert.Contains("at most 100 day(s) per job for these 1 shop(s)", tooLarge.Error, StringComparison.Ordinal);
        Assert.Equal(0, await JobCountAsync());
    }

    private async Task<int> JobCountAsync() =>
        (await Harness.Http.GetFromJsonAsync<JsonElement>("/api/jobs")).GetProperty("jobs").GetArrayLength();
}
