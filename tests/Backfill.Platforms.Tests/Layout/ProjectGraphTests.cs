using System.Xml.Linq;

namespace Backfill.Platforms.Tests.Layout;

/// <summary>
/// The project graph the README draws, read from the project files: who may reference the simulators, ASP.NET Core and an
/// adapter, and who sees a product assembly's internals.
/// </summary>
public sealed class ProjectGraphTests
{
    private static readonly string Src = Path.Combine(RepositoryRoot(), "src");

    [Fact]
    public void OnlyTheServerAndTheCli_ReachASimulatorOrAspNetCore()
    {
        var reaching = Projects().Where(p => p is not ("Backfill.Server" or "Backfill.Cli" or "Backfill.Simulators"))
            .Where(p => Closure(p).Any(r => r == "Backfill.Simulators") || Closure(p).Append(p).Any(UsesAspNetCore))
            .ToList();

        Assert.Empty(reaching);
        Assert.DoesNotContain("Backfill.Simulators", Closure("Backfill.Server"));
    }

    [Theory]
    [InlineData("Backfill.Platforms.Shopee")]
    [InlineData("Backfill.Platforms.Lazada")]
    public void AnAdapter_ReferencesTheAbstractionsAndCoreOnly(string adapter) =>
        Assert.Equal(["Backfill.Core", "Backfill.Platforms.Abstractions"], Closure(adapter).Order(StringComparer.Ordinal));

    [Fact]
    public void AProductAssembly_ShowsItsInternalsToItsOwnTestsOnly()
    {
        var root = XDocument.Load(Path.Combine(RepositoryRoot(), "Directory.Build.props"));
        var granted = Projects().ToDictionary(p => p, p => Grants(Project(p)), StringComparer.Ordinal);

        Assert.Equal(["$(AssemblyName).Tests"], Grants(root));

        // The CLI's assembly is named after the command, `backfill`, so its tests are named for it.
        Assert.Equal(["Backfill.Cli.Tests"], granted["Backfill.Cli"]);
        Assert.All(granted.Where(g => g.Key != "Backfill.Cli"), g => Assert.True(g.Value.Count == 0, $"{g.Key} grants {string.Join(", ", g.Value)}"));
    }

    private static List<string> Grants(XDocument project) =>
        [.. project.Descendants("InternalsVisibleTo").Select(i => i.Attribute("Include")!.Value)];

    private static IEnumerable<string> Projects() => Directory.GetDirectories(Src).Select(Path.GetFileName).OfType<string>();

    private static IEnumerable<string> References(string project) =>
        Project(project).Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value));

    private static HashSet<string> Closure(string project)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var next = new Stack<string>(References(project));
        while (next.TryPop(out var reference))
        {
            if (seen.Add(reference))
            {
                foreach (var further in References(reference))
                {
                    next.Push(further);
                }
            }
        }

        return seen;
    }

    private static bool UsesAspNetCore(string project) =>
        Project(project).Descendants("FrameworkReference").Any(f => f.Attribute("Include")?.Value == "Microsoft.AspNetCore.App");

    private static XDocument Project(string project) => XDocument.Load(Path.Combine(Src, project, $"{project}.csproj"));

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Backfill.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Backfill.sln not found above the test's folder.");
    }
}
