using Microsoft.Playwright;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Backfill.Dashboard.Tests;

/// <summary>
/// One headless Debian Chromium for the test class, driven by Playwright without its own browser download
/// (<see cref="DebianChromium"/> installs the package when the machine lacks it). Where no Chromium can be had (a user who
/// may not install packages), the tests are skipped with the reason, except under CI (<c>CI</c> set), where they fail:
/// CI must run the browser for real.
/// </summary>
public sealed class BrowserFixture(IMessageSink diagnostics) : IAsyncLifetime
{
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private string? _unavailable;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("not started");

    /// <summary>Skips the calling test when this machine has no Chromium and is not CI; fails it under CI.</summary>
    public void RequireBrowser()
    {
        if (_unavailable is null)
        {
            return;
        }

        Assert.True(Environment.GetEnvironmentVariable("CI") is not { Length: > 0 }, $"{_unavailable} (CI is set: browser tests must run.)");
        Skip.If(true, _unavailable);
    }

    public async Task InitializeAsync()
    {
        var chromium = await DebianChromium.LocateAsync(message => diagnostics.OnMessage(new DiagnosticMessage(message)));
        if (chromium.Path is null)
        {
            _unavailable = chromium.Problem;
            diagnostics.OnMessage(new DiagnosticMessage(chromium.Problem));
            return;
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = chromium.Path, Headless = true });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}
