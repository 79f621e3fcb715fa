using System.Diagnostics;

namespace Backfill.Dashboard.Tests;

/// <summary>
/// Finds a Chromium for the browser tests, installing Debian's <c>chromium</c> package when the machine has none, so the
/// README's one test command runs them on a machine that has only the .NET SDK. The package comes from the machine's own
/// Debian mirror (Playwright's browser download is not used: it reaches hosts outside the registries).
/// </summary>
internal static class DebianChromium
{
    /// <summary>Where Debian's <c>chromium</c> package puts the browser.</summary>
    public const string DefaultPath = "/usr/bin/chromium";

    /// <summary>A Chromium executable chosen instead of Debian's when it exists.</summary>
    public const string OverrideVariable = "BACKFILL_CHROMIUM";

    private static readonly TimeSpan InstallLimit = TimeSpan.FromMinutes(10);
    private static readonly SemaphoreSlim Installing = new(1, 1);

    /// <summary>The executable to drive, or why there is none on this machine (<see cref="Located.Problem"/>).</summary>
    public static async Task<Located> LocateAsync(Action<string> say)
    {
        var chosen = Environment.GetEnvironmentVariable(OverrideVariable);
        if (chosen is { Length: > 0 })
        {
            if (File.Exists(chosen))
            {
                return new Located(chosen, null);
            }

            say($"{OverrideVariable}={chosen} does not exist; using Debian's chromium instead.");
        }

        if (File.Exists(DefaultPath))
        {
            return new Located(DefaultPath, null);
        }

        await Installing.WaitAsync();
        try
        {
            return File.Exists(DefaultPath) ? new Located(DefaultPath, null) : await InstallAsync(say);
        }
        finally
        {
            Installing.Release();
        }
    }

    private static async Task<Located> InstallAsync(Action<string> say)
    {
        // As root (CI, a container) apt-get runs as is; otherwise only a sudo that asks no password can be used from a test.
        string[] prefix = Environment.UserName == "root" ? [] : ["sudo", "-n"];
        if (prefix.Length > 0 && await RunAsync([.. prefix, "true"], say) != 0)
        {
            return new Located(null,
                $"Chromium is not installed at {DefaultPath}, and this user cannot install it (not root, and sudo asks for a password). " +
                "Install it once with: sudo apt-get install -y chromium (or set BACKFILL_CHROMIUM to a Chromium executable).");
        }

        say("Chromium is missing: installing Debian's chromium package (apt-get) for the browser tests.");
        string[] apt = ["env", "DEBIAN_FRONTEND=noninteractive", "apt-get", "-o", "DPkg::Lock::Timeout=300", "-qq"];
        var code = await RunAsync([.. prefix, .. apt, "update"], say);
        if (code == 0)
        {
            code = await RunAsync([.. prefix, .. apt, "install", "-y", "--no-install-recommends", "chromium"], say);
        }

        return code == 0 && File.Exists(DefaultPath)
            ? new Located(DefaultPath, null)
            : new Located(null, $"Installing Debian's chromium failed (apt-get exit {code}); install it with: sudo apt-get install -y chromium.");
    }

    private static async Task<int> RunAsync(string[] command, Action<string> say)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in command[1..])
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{command[0]} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            say($"{command[0]} could not be run: {e.Message}");
            return -1;
        }

        using var started = process;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(InstallLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            say($"{string.Join(' ', command)} took longer than {InstallLimit} and was stopped.");
            return -1;
        }

        if (process.ExitCode != 0)
        {
            say($"{string.Join(' ', command)} exited {process.ExitCode}: {(await errors).Trim()} {(await output).Trim()}");
        }

        return process.ExitCode;
    }

    /// <summary>A Chromium executable, or the reason there is none.</summary>
    public sealed record Located(string? Path, string? Problem);
}
