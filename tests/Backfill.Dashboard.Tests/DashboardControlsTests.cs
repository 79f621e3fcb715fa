using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Backfill.Dashboard.Tests;

/// <summary>
/// What the dashboard does beside showing jobs, in headless Chromium against the real server, a worker and the simulator:
/// the platform's calls per second against its limit, a job's details (finished over time, failed slices, their
/// histories), and the buttons, which send the API token typed on the page.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DashboardControlsTests(BrowserFixture browser) : IClassFixture<BrowserFixture>
{
    private const string ApiToken = "dashboard-controls-token-5d1c";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [SkippableFact]
    public async Task Plot_Details_AndButtons_DoWhatTheySay()
    {
        browser.RequireBrowser();
        await using var harness = await ServerHarness.StartAsync(settings: new Dictionary<string, string?> { ["Backfill:ApiToken"] = ApiToken });
        harness.Simulator.Switches.Latency = TimeSpan.FromMilliseconds(100);
        var expired = ServerHarness.Shops[1];
        harness.Simulator.Switches.ExpiredTokenShops.Add(expired);
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        var job = await CreateAsync(harness, new { platform = "demo", shops = ServerHarness.Shops, from = "2024-04-01", to = "2024-04-21", releaseEvery = "00:00:01", slicesPerRelease = 1 });
        await Poll.Eventually(
            async () => (await harness.Http.JobAsync(job)).Slices is { Failed: > 0, Succeeded: > 0 },
            Timeout,
            "a failed and a succeeded slice");
        await using var page = await DashboardPage.OpenAsync(browser.Browser, harness.BaseUrl);
        await page.RefreshAsync(Timeout);

        // The platform's calls per second, with its limit and budget as the API gives them.
        var calls = await harness.Http.GetFromJsonAsync<JsonElement>("/api/platforms/demo/calls");
        var plot = "tr[data-plot-for='demo'] svg[data-plot='calls']";
        Assert.Equal("180", await page.Page.GetAttributeAsync($"{plot} polyline", "data-points"));
        Assert.True(Number(await page.Page.GetAttributeAsync($"{plot} polyline", "data-max")) > 0, "the plot shows no call");
        Assert.Equal(calls.GetProperty("permitsPerSecond").GetDouble(), Number(await page.Page.GetAttributeAsync($"{plot} [data-line='limit']", "data-value")));
        Assert.Equal(calls.GetProperty("budgetPerSecond").GetDouble(), Number(await page.Page.GetAttributeAsync($"{plot} [data-line='budget']", "data-value")));

        // Points at their times, the limit a tenth below the top.
        var drawn = await page.Page.EvaluateAsync<string>("() => window.BackfillDashboard.plot([0, 5, 10], { xs: [0, 1, 4], lines: [{ kind: 'limit', value: 20 }], label: 'x', unit: 'u' }).querySelector('polyline').getAttribute('points')");
        Assert.Equal("0.0,120.0 150.0,92.7 600.0,65.5", drawn);

        // Without the token the change is refused and says what to do; nothing changed.
        var card = $"article[data-job='{job}']";
        await page.Page.ClickAsync($"{card} button[data-action='pause']");
        await page.Page.WaitForFunctionAsync("() => document.getElementById('notice').textContent.includes('refused')");
        Assert.Contains("type the API token above", await page.Page.InnerTextAsync("#notice"), StringComparison.Ordinal);
        Assert.Equal("running", (await harness.Http.JobAsync(job)).State);

        // With it: pause, then resume.
        await page.Page.FillAsync("#token", ApiToken);
        await page.Page.ClickAsync($"{card} button[data-action='pause']");
        await page.Page.WaitForFunctionAsync("() => document.getElementById('notice').textContent === 'pause: done'");
        Assert.Equal("paused", (await harness.Http.JobAsync(job)).State);
        await page.RefreshAsync(Timeout);
        await page.RefreshAsync(Timeout);
        Assert.Equal("paused", (await page.JobAsync(job))!.Data("state"));
        await page.Page.ClickAsync($"{card} button[data-action='resume']");
        await page.Page.WaitForFunctionAsync("() => document.getElementById('notice').textContent === 'resume: done'");
        Assert.Equal("running", (await harness.Http.JobAsync(job)).State);

        // Details: finished slices over time, the failed slices with the platform's error, a slice's history.
        await page.RefreshAsync(Timeout);
        await page.Page.ClickAsync($"{card} button[data-action='details']");
        await page.RefreshAsync(Timeout);
        await page.Page.WaitForSelectorAsync("#detail [data-field='failures'] li");
        Assert.True(int.Parse((await page.Page.GetAttributeAsync("#detail svg[data-plot='timeline'] polyline", "data-points"))!, CultureInfo.InvariantCulture) >= 2);
        var failure = await page.Page.InnerTextAsync("#detail [data-field='failures'] li");
        Assert.Contains($"/{expired}/", failure, StringComparison.Ordinal);
        Assert.Contains("invalid_access_token", failure, StringComparison.Ordinal);
        await page.Page.ClickAsync("#detail [data-field='failures'] li button[data-action='history']");
        await page.RefreshAsync(Timeout);
        await page.Page.WaitForSelectorAsync("#detail ol.history li");
        var history = await page.Page.InnerTextAsync("#detail ol.history");
        Assert.Contains("pending → released", history, StringComparison.Ordinal);
        Assert.Contains("→ failed", history, StringComparison.Ordinal);

        // Cancel asks to be pressed twice.
        await page.Page.ClickAsync($"{card} button[data-action='cancel']");
        Assert.Equal("Cancel: press again", await page.Page.InnerTextAsync($"{card} button[data-action='cancel']"));
        Assert.Equal("running", (await harness.Http.JobAsync(job)).State);
        await page.Page.ClickAsync($"{card} button[data-action='cancel']");
        await page.Page.WaitForFunctionAsync("() => document.getElementById('notice').textContent === 'cancel: done'");
        Assert.Equal("cancelled", (await harness.Http.JobAsync(job)).State);

        // The token lives in the field only: not in storage, cookies or the page's text.
        var kept = await page.Page.EvaluateAsync<string>("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie + document.body.innerText");
        Assert.DoesNotContain(ApiToken, kept, StringComparison.Ordinal);
        Assert.All(page.Errors, e => Assert.Contains("401", e, StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Details_ListTheSlicesThatWereStuck_WithTheirHistory()
    {
        browser.RequireBrowser();
        await using var harness = await ServerHarness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Backfill:ApiToken"] = ApiToken,
            ["Backfill:StuckAfter"] = "00:00:06",
            ["Platforms:demo:Timeout"] = "00:00:01",
            ["Platforms:demo:Retry:MaxAttempts"] = "1",
            ["Platforms:demo:RateLimit:Throttle:CoolOff"] = "00:00:01",
            ["Worker:PagesPerStep"] = "1",
            ["Worker:ThrottleRetries"] = "0",
        });

        // No worker runs: the released slice is never heard of again, and is stuck after 6 s.
        var job = await CreateAsync(harness, new { platform = "demo", shops = new[] { ServerHarness.Shops[0] }, from = "2024-05-01", to = "2024-05-03", releaseEvery = "01:00:00" });
        await Poll.Eventually(
            async () => (await harness.Http.SlicesAsync(job, stuck: true)).Count > 0,
            Timeout,
            "a stuck slice");
        await using var page = await DashboardPage.OpenAsync(browser.Browser, harness.BaseUrl);
        await page.RefreshAsync(Timeout);
        await page.Page.ClickAsync($"article[data-job='{job}'] button[data-action='details']");
        await page.RefreshAsync(Timeout);

        var stuck = "#detail [data-field='stuck'] li";
        await page.Page.WaitForSelectorAsync(stuck);
        Assert.Equal($"{job}/{ServerHarness.Shops[0]}/20240501", await page.Page.GetAttributeAsync(stuck, "data-slice"));
        Assert.Matches(@"attempt 1, stuck 1 × \(released again\), last heard \d\d:\d\d:\d\d", await page.Page.InnerTextAsync(stuck));
        Assert.Contains("No failed slice.", await page.Page.InnerTextAsync("#detail"), StringComparison.Ordinal);
        await page.Page.ClickAsync($"{stuck} button[data-action='history']");
        await page.RefreshAsync(Timeout);
        await page.Page.WaitForSelectorAsync($"{stuck} ol.history li");
        var history = await page.Page.InnerTextAsync($"{stuck} ol.history");
        Assert.Contains("pending → released", history, StringComparison.Ordinal);
        Assert.Contains("released → pending: nothing heard of attempt 1 since", history, StringComparison.Ordinal);
        Assert.Empty(page.Errors);
    }

    private static async Task<string> CreateAsync(ServerHarness harness, object request)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, "/api/jobs") { Content = JsonContent.Create(request) };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        using var created = await harness.Http.SendAsync(message);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
    }

    private static double Number(string? text) => double.Parse(text!, CultureInfo.InvariantCulture);
}
