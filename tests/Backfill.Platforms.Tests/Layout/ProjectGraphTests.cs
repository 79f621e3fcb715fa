using System.Xml.Linq;

namespace Backfill.Platforms.Tests.Layout;

/// <summary>The project graph the README draws, read from the project files: who may reference the simulators, ASP.NET Core and an adapter.</summary>
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
