using Microsoft.Playwright;

namespace Backfill.Dashboard.Tests;

/// <summary>
/// One headless Debian Chromium for the test class, driven by Playwright without its own browser download. A machine
/// without Chromium fails every test here with the command that installs it: a skipped browser test would pass unseen.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    /// <summary>Where Debian's <c>chromium</c> package puts the browser; <c>BACKFILL_CHROMIUM</c> overrides it.</summary>
    public const string DefaultPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("not started");

    public static string ExecutablePath => Environment.GetEnvironmentVariable("BACKFILL_CHROMIUM") is { Length: > 0 } path ? path : DefaultPath;

    public async Task InitializeAsync()
    {
        Assert.True(
            File.Exists(ExecutablePath),
            $"Chromium was not found at {ExecutablePath}. The dashboard test needs Debian's chromium: sudo apt-get install -y chromium " +
            "(or set BACKFILL_CHROMIUM to a Chromium executable).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ExecutablePath, Headless = true });
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
