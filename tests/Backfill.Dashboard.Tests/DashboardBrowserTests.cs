using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Backfill.Scheduling;
using Backfill.Scheduling.Shops;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Dashboard.Tests;

/// <summary>The dashboard in headless Chromium against the real server, a worker host and the simulator.</summary>
[Trait("Category", "Integration")]
public sealed partial class DashboardBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private static readonly string[] States = ["pending", "released", "running", "succeeded", "failed", "cancelled"];
    private static readonly TimeSpan RefreshTimeout = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task ProgressBar_FollowsARunningJob_ShowingWhatTheApiSaid_UntilEverySliceSucceeded()
    {
        browser.RequireBrowser();
        await using var harness = await ServerHarness.StartAsync();
        // A slower platform and one slice a second: the job lasts long enough for several refreshes to see it move.
        harness.Simulator.Switches.Latency = TimeSpan.FromMilliseconds(150);
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        await using var page = await DashboardPage.OpenAsync(browser.Browser, harness.BaseUrl);
        try
        {
            var first = await page.RefreshAsync(RefreshTimeout);
            Assert.Empty(first.GetProperty("jobs").EnumerateArray());
            Assert.Contains("No jobs yet", await page.Page.InnerTextAsync("#jobs"), StringComparison.Ordinal);

            var earlier = await CreateAsync(harness, new { platform = "demo", shops = new[] { ServerHarness.Shops[0] }, from = "2024-04-01", to = "2024-04-03", releaseEvery = "00:00:00.200", slicesPerRelease = 2 });
            Assert.Equal("succeeded", (await harness.Http.FinishedJobAsync(earlier, TimeSpan.FromSeconds(60))).State);
            // 32 slices at one a second: the bar moves through several refreshes even when the sink starts seconds late on a busy machine.
            var job = await CreateAsync(harness, new { platform = "demo", shops = ServerHarness.Shops, from = "2024-04-03", to = "2024-04-19", releaseEvery = "00:00:01", slicesPerRelease = 1 });

            var seen = new List<int>();
            var etas = new List<(int Done, string Eta)>();
            (int Done, byte[] Png)? screenshot = null;
            var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromMinutes(3);
            while (true)
            {
                Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"the job did not finish on the page in 3 minutes; percentages seen: {string.Join(", ", seen)}");
                var answer = await page.RefreshAsync(RefreshTimeout);
                var expected = answer.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("job").GetString() == job);
                var shown = await page.JobAsync(job) ?? throw new Xunit.Sdk.XunitException($"the page shows no card for {job}");
                AssertShows(expected, shown);
                AssertPlatformShows(expected.GetProperty("platforms")[0], await page.Page.InnerTextAsync("tr[data-platform='demo'] [data-field='throttles']"));
                var done = shown.ValueNow;
                seen.Add(done);
                etas.Add((done, shown.Field("eta")));

                // Kept for the refresh nearest to half done (docs/dashboard.png).
                if (done is > 0 and < 100 && (screenshot is null || Math.Abs(done - 50) < Math.Abs(screenshot.Value.Done - 50)))
                {
                    screenshot = (done, await page.Page.ScreenshotAsync(new() { FullPage = true }));
                }

                if (expected.GetProperty("state").GetString() != "running")
                {
                    break;
                }
            }

            Assert.Equal("succeeded", (await page.JobAsync(job))!.Data("state"));
            var final = (await page.JobAsync(job))!;
            Assert.Equal(100, final.ValueNow);
            Assert.Equal(final.Data("total"), final.Data("succeeded"));
            Assert.Equal(100, final.Segments["succeeded"], 6);
            Assert.Equal("done", final.Field("eta"));
            Assert.Equal(100, (await page.JobAsync(earlier))!.ValueNow);

            // It moved: several percentages between 0 and 100 on the way, never backwards.
            Assert.True(seen.Count(p => p is > 0 and < 100) >= 2, $"too few intermediate refreshes: {string.Join(", ", seen)}");
            Assert.Equal(seen.Order(), seen);
            Assert.All(etas, e => Assert.Matches(EtaText(), e.Eta));
            Assert.Contains(etas, e => e.Done is > 0 and < 100 && Duration().IsMatch(e.Eta));
            await File.WriteAllBytesAsync(ScreenshotPath(), screenshot!.Value.Png);
            Assert.Empty(page.Errors);
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    [SkippableFact]
    public async Task StringsFromTheApi_AreShownAsText_NeverRunAsMarkup()
    {
        browser.RequireBrowser();
        // Configured shop ids are numbers; a directory that knows any shop lets a hostile one reach the page.
        await using var harness = await ServerHarness.StartAsync(services: s => s.AddSingleton<IShopDirectory>(new EveryShop()));
        const string Hostile = "<img src=x onerror=\"window.__injected=1\"><b>bold</b>";
        await CreateAsync(harness, new { platform = "demo", shops = new[] { Hostile }, from = "2024-04-01", to = "2024-04-02" });
        await using var page = await DashboardPage.OpenAsync(browser.Browser, harness.BaseUrl);

        await page.RefreshAsync(RefreshTimeout);

        Assert.Contains(Hostile, await page.Page.InnerTextAsync("#jobs"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Page.EvaluateAsync<int>("document.querySelectorAll('#jobs img, #jobs b').length"));
        Assert.True(await page.Page.EvaluateAsync<bool>("window.__injected === undefined"));
        Assert.Empty(page.Errors);
    }

    [SkippableFact]
    public async Task AJobWhoseShopNeedsAuthorization_ShowsTheWarningOnItsCard_AndAHealthyJobShowsNone()
    {
        browser.RequireBrowser();
        await using var harness = await ServerHarness.StartAsync();
        var troubled = await CreateAsync(harness, new { platform = "demo", shops = ServerHarness.IdleShops[..1], from = "2024-04-01", to = "2024-04-03", releaseEvery = "01:00:00" });
        var healthy = await CreateAsync(harness, new { platform = "demo", shops = ServerHarness.IdleShops[1..2], from = "2024-04-01", to = "2024-04-03", releaseEvery = "01:00:00" });
        harness.App.Services.GetRequiredService<ShopRegistry>().RefreshRefused("demo", ServerHarness.IdleShops[0], "refused: error_param: <b>invalid</b> refresh_token");
        await using var page = await DashboardPage.OpenAsync(browser.Browser, harness.BaseUrl);

        var answer = await page.RefreshAsync(RefreshTimeout);

        var expected = answer.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("job").GetString() == troubled).GetProperty("shopWarnings")[0].GetString();
        Assert.StartsWith($"shop {ServerHarness.IdleShops[0]}: needs authorization: ", expected, StringComparison.Ordinal);
        Assert.Equal(expected, await page.Page.InnerTextAsync($"article[data-job='{troubled}'] [data-field='warnings'] li"));
        Assert.Equal(0, await page.Page.Locator($"article[data-job='{healthy}'] [data-field='warnings']").CountAsync());
        Assert.Equal(0, await page.Page.EvaluateAsync<int>("document.querySelectorAll('#jobs b').length"));
        Assert.Empty(page.Errors);
    }

    [SkippableFact]
    public async Task AJobWhoseRecordsWereLost_SaysHowManyOnItsCard_AndRunAgainRerunsIt()
    {
        browser.RequireBrowser();
        await using var harness = await ServerHarness.StartAsync();
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        var job = await CreateAsync(harness, new { platform = "demo", shops = ServerHarness.Shops, from = "2024-04-01", to = "2024-04-03", releaseEvery = "auto" });
        await LostRecords.AtTheStartOfAsync(harness.App.Services, job, RefreshTimeout);

        await Poll.Eventually(async () => (await harness.Http.JobAsync(job)).Orders.Lost > 0, RefreshTimeout, "the finished job's lost records");
        await using var page = await DashboardPage.OpenAsync(browser.Browser, harness.BaseUrl);
        await page.RefreshAsync(RefreshTimeout);

        var card = $"article[data-job='{job}']";
        var lost = (await harness.Http.JobAsync(job)).Orders.Lost;
        Assert.StartsWith($"records lost: {lost} left the data topics before the sink read them", await page.Page.InnerTextAsync($"{card} [data-field='lost']"), StringComparison.Ordinal);
        await page.Page.ClickAsync($"{card} button[data-action='rerun']");
        await page.Page.WaitForFunctionAsync("() => document.getElementById('notice').textContent === 'retry: done'");
        await Poll.Eventually(async () => (await harness.Http.JobAsync(job)).Orders is { AllSaved: true, Lost: 0 }, TimeSpan.FromSeconds(60), "the re-run's orders all saved");
        await page.RefreshAsync(RefreshTimeout);
        await page.RefreshAsync(RefreshTimeout);
        Assert.Equal(0, await page.Page.Locator($"{card} [data-field='lost']").CountAsync());
        Assert.Equal(0, await page.Page.Locator($"{card} button[data-action='rerun']").CountAsync());
        Assert.Empty(page.Errors);
    }

    [SkippableFact]
    public async Task ManyJobs_TheNewestFiftyAreShown_AndTheStatusSaysThereAreMore()
    {
        browser.RequireBrowser();
        await using var harness = await ServerHarness.StartAsync();
        var created = new List<string>();
        for (var i = 0; i < 53; i++)
        {
            var day = new DateOnly(2023, 1, 1).AddDays(i);
            created.Add(await CreateAsync(harness, new { platform = "demo", shops = ServerHarness.Shops[..1], from = Day(day), to = Day(day.AddDays(1)), releaseEvery = "01:00:00" }));
        }

        await using var page = await DashboardPage.OpenAsync(browser.Browser, harness.BaseUrl);
        var answer = await page.RefreshAsync(RefreshTimeout);

        Assert.Equal(50, answer.GetProperty("jobs").GetArrayLength());
        Assert.Equal(50, await page.Page.Locator("#jobs article.job").CountAsync());
        Assert.Null(await page.JobAsync(created[0]));
        Assert.NotNull(await page.JobAsync(created[^1]));
        Assert.StartsWith("the 50 newest jobs", await page.Page.InnerTextAsync("#status"), StringComparison.Ordinal);
        Assert.Empty(page.Errors);
    }

    [SkippableFact]
    public async Task PlatformRow_ShowsALimitSetWhileRunning()
    {
        browser.RequireBrowser();
        await using var harness = await ServerHarness.StartAsync();
        await CreateAsync(harness, new { platform = "demo", shops = ServerHarness.Shops, from = "2024-04-01", to = "2024-04-03" });
        await using var page = await DashboardPage.OpenAsync(browser.Browser, harness.BaseUrl);
        await page.RefreshAsync(RefreshTimeout);
        Assert.Equal(0, await page.Page.Locator("tr[data-platform='demo'] [data-field='livelimit']").CountAsync());

        using var set = await harness.Http.PostAsync("/api/platforms/demo/limit", new StringContent("""{"permitsPerSecond": 12.5}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var answer = await page.RefreshAsync(RefreshTimeout);

        Assert.Equal(12.5, answer.GetProperty("jobs")[0].GetProperty("platforms")[0].GetProperty("liveLimit").GetDouble());
        Assert.Equal("live limit 12.5/s", await page.Page.InnerTextAsync("tr[data-platform='demo'] [data-field='livelimit']"));
        Assert.Empty(page.Errors);
    }

    [SkippableFact]
    public async Task PlatformRow_ShowsTheSafetyMargin_ConfiguredAndSetWhileRunning()
    {
        browser.RequireBrowser();
        await using var harness = await ServerHarness.StartAsync();
        await CreateAsync(harness, new { platform = "demo", shops = ServerHarness.Shops, from = "2024-04-01", to = "2024-04-03" });
        await using var page = await DashboardPage.OpenAsync(browser.Browser, harness.BaseUrl);
        await page.RefreshAsync(RefreshTimeout);
        Assert.Equal("safety margin 0", await page.Page.InnerTextAsync("tr[data-platform='demo'] [data-field='margin']"));

        using var set = await harness.Http.PostAsync("/api/platforms/demo/limit", new StringContent("""{"safetyMargin": 0.2}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var answer = await page.RefreshAsync(RefreshTimeout);

        Assert.Equal(0.2, answer.GetProperty("jobs")[0].GetProperty("platforms")[0].GetProperty("safetyMargin").GetDouble());
        Assert.Equal("safety margin 0.2 (live)", await page.Page.InnerTextAsync("tr[data-platform='demo'] [data-field='margin']"));
        Assert.Empty(page.Errors);
    }

    [SkippableFact]
    public async Task PlatformRow_ShowsASpentQuotaAndWhenItResumes_AndEachQuotasUse()
    {
        browser.RequireBrowser();

        // 10 calls a minute, 8 for backfills: a job of two shops over four days spends them within seconds.
        await using var harness = await ServerHarness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Platforms:demo:RateLimit:Quotas:0:Calls"] = "10",
            ["Platforms:demo:RateLimit:Quotas:0:Period"] = "00:01:00",
        });
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        await CreateAsync(harness, new { platform = "demo", shops = ServerHarness.Shops, from = "2024-04-01", to = "2024-04-05" });
        await using var page = await DashboardPage.OpenAsync(browser.Browser, harness.BaseUrl);
        var spent = page.Page.Locator("tr[data-platform='demo'] [data-field='quotaspent']");
        var deadline = DateTime.UtcNow + RefreshTimeout;
        while (await spent.CountAsync() == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the dashboard never said the quota was spent");
            await page.RefreshAsync(RefreshTimeout);
        }

        Assert.StartsWith("quota spent, resumes at ", await spent.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Matches(@"^quota [0-8]/8 of 10 per 00:01:00, window ends \d\d:\d\d:\d\d$", await page.Page.InnerTextAsync("tr[data-platform='demo'] [data-field='quota']"));
        Assert.Empty(page.Errors);
        await worker.StopAsync();
    }

    [SkippableFact]
    public async Task APageOfAnotherSite_InTheOperatorsBrowser_CannotCreateOrCancelAJob()
    {
        browser.RequireBrowser();
        await using var harness = await ServerHarness.StartAsync();
        var job = await CreateAsync(harness, new { platform = "demo", shops = ServerHarness.Shops, from = "2024-04-01", to = "2024-04-03", releaseEvery = "01:00:00" });
        var page = await browser.Browser.NewPageAsync();
        try
        {
            // Another origin on this machine (the simulator's port), as a page the operator happens to have open.
            await page.GotoAsync(new Uri(harness.Simulator.BaseUrl, "sim/stats").ToString());

            // "no-cors" requests go out without asking the server first (the page cannot read the answer, and needs not);
            // a JSON one would need the server's consent in a preflight, which it never gives.
            var sent = await page.EvaluateAsync<int>(
                """
                async ([server, job]) => {
                  const body = JSON.stringify({ platform: "demo", shops: ["30001"], from: "2018-01-01", to: "2018-01-03" });
                  const asks = [
                    fetch(server + "api/jobs", { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body }),
                    fetch(server + "api/jobs", { method: "POST", mode: "no-cors", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body }),
                    fetch(server + "api/jobs/" + job + "/cancel", { method: "POST", mode: "no-cors" }),
                    fetch(server + "api/jobs", { method: "POST", headers: { "Content-Type": "application/json" }, body }).catch(() => null),
                  ];
                  return (await Promise.all(asks)).length;
                }
                """,
                new object[] { harness.BaseUrl.ToString(), job });

            Assert.Equal(4, sent);
            var jobs = (await harness.Http.GetFromJsonAsync<JsonElement>("/api/jobs")).GetProperty("jobs");
            Assert.Equal([job], jobs.EnumerateArray().Select(j => j.GetProperty("job").GetString()));
            Assert.Equal("running", jobs[0].GetProperty("state").GetString());
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    [SkippableFact]
    public async Task Eta_ComesFromRecentProgress_ElseTheAverageSinceCreation_ElseADash()
    {
        browser.RequireBrowser();
        await using var harness = await ServerHarness.StartAsync();
        await using var page = await DashboardPage.OpenAsync(browser.Browser, harness.BaseUrl);
        await page.RefreshAsync(RefreshTimeout);

        // 4 of 10 finished; 2 more in the last 10 s: 6 left at 0.2/s.
        Assert.Equal("30 s", await EstimateAsync(page, "running", finished: 4, total: 10, history: "[{t: 0, finished: 2}, {t: 10000, finished: 4}]", now: 10_000, createdAgoMs: 600_000));
        // No progress seen by the page yet: 3 finished in the 60 s since creation, 7 left.
        Assert.Equal("2 m 20 s", await EstimateAsync(page, "running", finished: 3, total: 10, history: "[]", now: 10_000, createdAgoMs: 60_000));
        Assert.Equal("—", await EstimateAsync(page, "running", finished: 0, total: 10, history: "[]", now: 10_000, createdAgoMs: 60_000));
        Assert.Equal("—", await EstimateAsync(page, "paused", finished: 3, total: 10, history: "[]", now: 10_000, createdAgoMs: 60_000));
        Assert.Equal("done", await EstimateAsync(page, "succeeded", finished: 10, total: 10, history: "[]", now: 10_000, createdAgoMs: 60_000));
        Assert.Equal("1 h 02 m", await page.Page.EvaluateAsync<string>("BackfillDashboard.formatDuration(3725000)"));
        Assert.Equal(
            ["200 ms", "1 s", "1.5 s", "5 min", "2 h", "1 d 00:00:00", "1 min"],
            await page.Page.EvaluateAsync<string[]>("""["00:00:00.2000000", "00:00:01", "00:00:01.5000000", "00:05:00", "02:00:00", "1 d 00:00:00", "00:01:00"].map(BackfillDashboard.formatEvery)"""));
        Assert.Empty(page.Errors);
    }

    private static async Task<string> EstimateAsync(DashboardPage page, string state, int finished, int total, string history, long now, long createdAgoMs) =>
        await page.Page.EvaluateAsync<string>(
            $$"""
            () => BackfillDashboard.estimate(
              { state: "{{state}}", createdAt: new Date({{now}} - {{createdAgoMs}}).toISOString(),
                slices: { total: {{total}}, succeeded: {{finished}}, failed: 0, cancelled: 0 } },
              {{history}}, {{now}})
            """);

    private static void AssertShows(JsonElement expected, ShownJob shown)
    {
        var slices = expected.GetProperty("slices");
        var total = slices.GetProperty("total").GetInt32();
        Assert.Equal(expected.GetProperty("state").GetString(), shown.Data("state"));
        Assert.Equal(total.ToString(CultureInfo.InvariantCulture), shown.Data("total"));
        foreach (var state in States)
        {
            var count = slices.GetProperty(state).GetInt32();
            Assert.Equal(count.ToString(CultureInfo.InvariantCulture), shown.Data(state));
            Assert.Equal(count.ToString(CultureInfo.InvariantCulture), shown.Field(state));
            if (state != "pending")
            {
                Assert.Equal(count > 0, shown.Segments.ContainsKey(state));
                if (count > 0)
                {
                    Assert.Equal(100.0 * count / total, shown.Segments[state], 6);
                }
            }
        }

        var finished = slices.GetProperty("succeeded").GetInt32() + slices.GetProperty("failed").GetInt32() + slices.GetProperty("cancelled").GetInt32();
        Assert.Equal(100 * finished / total, shown.ValueNow);
        Assert.Equal(expected.GetProperty("orders").GetProperty("emitted").GetInt64().ToString(CultureInfo.InvariantCulture), shown.Data("orders"));
        Assert.Contains(string.Join(", ", expected.GetProperty("shops").EnumerateArray().Select(s => s.GetString())), shown.Text, StringComparison.Ordinal);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static void AssertPlatformShows(JsonElement platform, string throttles) =>
        Assert.Equal(platform.GetProperty("throttles").GetInt64().ToString("N0", CultureInfo.GetCultureInfo("en-US")), throttles);

    private static async Task<string> CreateAsync(ServerHarness harness, object request)
    {
        using var created = await harness.Http.PostAsJsonAsync("/api/jobs", request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
    }

    /// <summary>Beside the test binaries, or where <c>BACKFILL_DASHBOARD_SCREENSHOT</c> says (docs/dashboard.png is made so).</summary>
    private static string ScreenshotPath() =>
        Environment.GetEnvironmentVariable("BACKFILL_DASHBOARD_SCREENSHOT") is { Length: > 0 } path ? path : Path.Combine(AppContext.BaseDirectory, "dashboard.png");

    [GeneratedRegex(@"^(—|done|\d+ (h \d{2} m|m \d{2} s|s))$")]
    private static partial Regex EtaText();

    [GeneratedRegex(@"^\d+ (h \d{2} m|m \d{2} s|s)$")]
    private static partial Regex Duration();

    private sealed class EveryShop : IShopDirectory
    {
        public IReadOnlyList<string> Unknown(string platform, IReadOnlyCollection<string> shops) => [];

        public IReadOnlyList<string> Known(string platform) => [];

        public IReadOnlyList<(string Shop, Backfill.Core.Shops.ShopState State)> NotActive(string platform, IReadOnlyCollection<string> shops) => [];
    }
}
