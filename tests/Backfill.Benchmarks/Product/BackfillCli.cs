using System.Diagnostics;
using System.Globalization;

namespace Backfill.Benchmarks.Product;

/// <summary>The built <c>backfill</c> executable, started as <c>dotnet backfill.dll VERB …</c> in a folder of its own.</summary>
internal sealed class BackfillCli
{
    // Configuration from the harness's own environment must not leak into the product's processes.
    private static readonly string[] ProductSections = ["Kafka__", "Backfill__", "Worker__", "Platforms__", "Logging__", "ASPNETCORE_", "DOTNET_ENVIRONMENT"];

    private BackfillCli(string dll) => Dll = dll;

    public string Dll { get; }

    /// <summary>Builds <c>src/Backfill.Cli</c> in Release once (or only finds it with <paramref name="skipBuild"/>).</summary>
    public static async Task<BackfillCli> BuildAsync(string repositoryRoot, bool skipBuild, string logDirectory, CancellationToken cancellationToken)
    {
        var project = Path.Combine(repositoryRoot, "src", "Backfill.Cli");
        var dll = Path.Combine(project, "bin", "Release", "net10.0", "backfill.dll");
        if (!skipBuild)
        {
            Console.Error.WriteLine($"Building {project} (Release)…");
            var info = new ProcessStartInfo("dotnet") { WorkingDirectory = repositoryRoot };
            foreach (var arg in new[] { "build", "-c", "Release", "--nologo", "-v", "quiet", project })
            {
                info.ArgumentList.Add(arg);
            }

            await using var build = ChildProcess.Start("build", info, logDirectory);
            await build.WaitForExitAsync(TimeSpan.FromMinutes(10), cancellationToken);
            if (build.ExitCode != 0)
            {
                throw new ChildProcessException($"dotnet build of src/Backfill.Cli failed: {build.StdoutLog}{Environment.NewLine}{string.Join(Environment.NewLine, build.Lines.TakeLast(15))}");
            }
        }

        return File.Exists(dll) ? new BackfillCli(dll) : throw new ChildProcessException($"{dll} does not exist; build src/Backfill.Cli in Release first.");
    }

    /// <summary>The repository holding <c>Backfill.sln</c>, found upwards from the harness's own folder.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Backfill.sln")))
            {
                return dir.FullName;
            }
        }

        throw new ChildProcessException($"No Backfill.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary><c>dotnet backfill.dll ARGS</c> in <paramref name="workingDirectory"/> (which holds its appsettings.json).</summary>
    public ProcessStartInfo StartInfo(string workingDirectory, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var name in info.Environment.Keys.Where(k => ProductSections.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        return info;
    }

    public static string Number(double value) => value.ToString(CultureInfo.InvariantCulture);
}
