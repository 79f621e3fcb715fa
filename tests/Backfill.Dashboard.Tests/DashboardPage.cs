using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Playwright;

namespace Backfill.Dashboard.Tests;

/// <summary>
/// The dashboard in a browser tab, with its refreshes under the test's control: the page asks <c>GET /api/jobs</c> on
/// its own timer, but each answer waits until the test lets it through and is recorded as the page receives it. While
/// the test reads the page, the next answer waits, so what the page shows is exactly the recorded answer.
/// </summary>
internal sealed class DashboardPage : IAsyncDisposable
{
    private readonly SemaphoreSlim _proceed = new(0);
    private readonly Channel<string> _answers = Channel.CreateUnbounded<string>();
    private readonly CancellationTokenSource _closing = new();
    private int _answered;

    private DashboardPage(IPage page) => Page = page;

    public IPage Page { get; }

    /// <summary>Console errors and uncaught exceptions of the page, Content-Security-Policy refusals included.</summary>
    public List<string> Errors { get; } = [];

    public static async Task<DashboardPage> OpenAsync(IBrowser browser, Uri server)
    {
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 300 } });
        var dashboard = new DashboardPage(page);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                dashboard.Errors.Add(message.Text);
            }
        };
        page.PageError += (_, error) => dashboard.Errors.Add(error);
        await page.RouteAsync(new System.Text.RegularExpressions.Regex("/api/jobs(\\?[^/]*)?$"), dashboard.AnswerAsync);
        await page.GotoAsync(server.ToString());
        return dashboard;
    }

    /// <summary>Lets one refresh through and waits until the page has drawn it; returns the answer it drew.</summary>
    public async Task<JsonElement> RefreshAsync(TimeSpan timeout)
    {
        _proceed.Release();
        using var wait = new CancellationTokenSource(timeout);
        var body = await _answers.Reader.ReadAsync(wait.Token);
        var drawn = Volatile.Read(ref _answered);
        await Page.WaitForFunctionAsync(
            "n => Number(document.getElementById('jobs').dataset.refreshes) >= n",
            drawn,
            new PageWaitForFunctionOptions { Timeout = (float)timeout.TotalMilliseconds });
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>What the page shows of one job, read from the DOM; null when it shows no such job.</summary>
    public async Task<ShownJob?> JobAsync(string id)
    {
        var shown = await Page.EvaluateAsync<JsonElement>(
            """
            id => {
              const card = [...document.querySelectorAll("article.job")].find(c => c.dataset.job === id);
              if (!card) return null;
              const bar = card.querySelector("[role=progressbar]");
              const field = f => card.querySelector(`[data-field="${f}"]`).textContent;
              const segments = {};
              for (const s of bar.querySelectorAll("[data-segment]")) segments[s.dataset.segment] = s.style.width;
              const data = {};
              for (const [k, v] of Object.entries(card.dataset)) data[k] = v;
              const fields = {};
              for (const f of card.querySelectorAll("[data-field]")) fields[f.dataset.field] = f.textContent;
              return { data, fields, segments, valueNow: bar.getAttribute("aria-valuenow"), text: card.innerText };
            }
            """,
            id);
        return shown.ValueKind == JsonValueKind.Null ? null : new ShownJob(shown);
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        await Page.CloseAsync();
        _closing.Dispose();
        _proceed.Dispose();
    }

    private async Task AnswerAsync(IRoute route)
    {
        try
        {
            await _proceed.WaitAsync(_closing.Token);
            var response = await route.FetchAsync();
            var body = await response.TextAsync();
            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = body });
            Interlocked.Increment(ref _answered);
            _answers.Writer.TryWrite(body);
        }
        catch (Exception e) when (e is OperationCanceledException or PlaywrightException or ObjectDisposedException)
        {
            // The tab is closing; its last refresh is never answered.
        }
    }
}

/// <summary>One job card as the page shows it.</summary>
internal sealed class ShownJob(JsonElement shown)
{
    /// <summary>The card's data attributes (<c>data-succeeded</c> → <c>succeeded</c>).</summary>
    public string Data(string name) => shown.GetProperty("data").GetProperty(name).GetString()!;

    /// <summary>The visible text of a figure (<c>data-field</c>).</summary>
    public string Field(string name) => shown.GetProperty("fields").GetProperty(name).GetString()!;

    public int ValueNow => int.Parse(shown.GetProperty("valueNow").GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The width of each drawn segment of the bar, in percent.</summary>
    public IReadOnlyDictionary<string, double> Segments => shown.GetProperty("segments").EnumerateObject()
        .ToDictionary(p => p.Name, p => double.Parse(p.Value.GetString()!.TrimEnd('%'), System.Globalization.CultureInfo.InvariantCulture));

    public string Text => shown.GetProperty("text").GetString()!;
}
