using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text.Json;

namespace Backfill.Cli.Tests;

/// <summary>
/// The <c>backfill</c> .NET tool as an operator gets it: packed from this build, installed from a local folder that is
/// the only package source, then run from its install folder (its own appsettings.json and librdkafka).
/// </summary>
public sealed class ToolPackageTests
{
    // Configuration from the test run's environment must not reach the tool, nor MSBuild's from the runner reach pack.
    private static readonly string[] Inherited = ["Kafka__", "Backfill__", "Worker__", "Platforms__", "Logging__", "Schedules__", "ASPNETCORE_", "DOTNET_ENVIRONMENT", "OTEL_", "MSBuild"];

    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);

    [Fact(Timeout = 420_000)]
    [Trait("Category", "Integration")]
    public async Task Tool_PackedAndInstalledFromALocalFolder_PrintsItsVersion_AndRunsTheDemo()
    {
        var cli = typeof(BackfillCommandLine).Assembly;
        var informational = cli.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        var version = informational.Split('+')[0];
        var root = Directory.CreateTempSubdirectory("backfill-tool-").FullName;
        try
        {
            var feed = Path.Combine(root, "feed");
            await PackAsync(cli.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration, root, feed);

            var package = Path.Combine(feed, $"backfill.{version}.nupkg");
            Assert.True(File.Exists(package), $"expected {package}; the feed holds {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
            using (var zip = ZipFile.OpenRead(package))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
                Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", entries);
                Assert.Contains("tools/net10.0/any/appsettings.json", entries);
                // Debian lacks the libsasl2.so.3 of librdkafka.redist's default build; Confluent.Kafka then loads the CentOS 8 one.
                Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/librdkafka.so", entries);
                Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/centos8-librdkafka.so", entries);
            }

            var config = Path.Combine(root, "nuget.config");
            await File.WriteAllTextAsync(config, $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            var tools = Path.Combine(root, "tools");
            var install = await RunAsync("dotnet", root, "tool", "install", "backfill", "--tool-path", tools, "--configfile", config, "--version", version);
            Assert.True(install.Code == 0, install.Output);

            var backfill = Path.Combine(tools, "backfill");
            var printed = await RunAsync(backfill, root, "--version");
            Assert.True(printed.Code == 0, printed.Output);
            Assert.Equal(informational, printed.Stdout.Trim());

            var work = Directory.CreateDirectory(Path.Combine(root, "work")).FullName;
            var demo = await RunAsync(backfill, work, "demo", "--days", "2", "--json", $"--Backfill:DataDirectory={Path.Combine(work, "data")}");
            Assert.True(demo.Code == 0, demo.Output);
            var report = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(demo.Stdout));
            var slices = report.GetProperty("slices");
            var orders = report.GetProperty("orders");
            Assert.Equal("succeeded", report.GetProperty("state").GetString());
            Assert.Equal(4, slices.GetProperty("total").GetInt32());
            Assert.Equal(4, slices.GetProperty("succeeded").GetInt32());
            Assert.True(orders.GetProperty("expected").GetInt64() > 0, demo.Stdout);
            Assert.Equal(orders.GetProperty("expected").GetInt64(), orders.GetProperty("unique").GetInt64());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// Packs what this test run built (same configuration, no build), publishing into <paramref name="root"/> rather than
    /// the project's bin, so a build of the same projects running beside it is neither read half-written nor disturbed.
    /// </summary>
    private static async Task PackAsync(string configuration, string root, string feed)
    {
        var project = RepositoryFiles.Path("src", "Backfill.Cli");
        var pack = await RunAsync(
            "dotnet", root, "pack", project, "--no-build", "-c", configuration, "-o", feed, "--nologo", "--disable-build-servers",
            $"-p:PublishDir={Path.Combine(root, "publish")}/", $"-p:NuspecOutputPath={Path.Combine(root, "nuspec")}/");
        Assert.True(pack.Code == 0, pack.Output);

        // Publishing records its outputs in obj under a name made from the publish folder; this one is gone after the test.
        foreach (var list in Directory.EnumerateFiles(Path.Combine(project, "obj"), "PublishOutputs.*.txt", SearchOption.AllDirectories))
        {
            if ((await File.ReadAllTextAsync(list)).Contains(root, StringComparison.Ordinal))
            {
                File.Delete(list);
            }
        }
    }

    private static async Task<(int Code, string Stdout, string Output)> RunAsync(string file, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in info.Environment.Keys.Where(k => Inherited.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(StepTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        var (text, errors) = (await stdout, await stderr);
        var described = $"{file} {string.Join(' ', args)} exited {(deadline.IsCancellationRequested ? "after its timeout" : process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture))}\n{text}\n{errors}";
        return (deadline.IsCancellationRequested ? -1 : process.ExitCode, text, described);
    }
}
