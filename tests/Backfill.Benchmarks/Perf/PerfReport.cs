using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Spectre.Console;

namespace Backfill.Benchmarks.Perf;

/// <summary>The table of every row, and with <c>--json</c> one JSON object as the last line of stdout.</summary>
internal static class PerfReport
{
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void Write(IReadOnlyList<PerfRow> rows, string commit, bool json)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 220;
        }

        var table = new Table { Title = new TableTitle($"perf: {Machine()}, commit {commit}"), Border = TableBorder.Rounded };
        table.AddColumns("id", "what", "product", "reference", "ratio", "target", "met");
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Id),
                Markup.Escape(row.What),
                Markup.Escape(row.Product),
                Markup.Escape(row.Reference),
                row.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "–",
                Markup.Escape(row.Target),
                row.Met ? "[green]✓[/]" : "[red]✗[/]");
        }

        console.Write(table);
        foreach (var row in rows.Where(r => r.Note is not null))
        {
            console.MarkupLine(Markup.Escape($"{row.Id}: {row.Note}"));
        }

        if (json)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(new
            {
                scenario = "perf",
                machine = Machine(),
                commit,
                rows = rows.Select(r => new { r.Id, r.What, r.Product, r.Reference, r.Ratio, r.Target, r.Met, r.Figures, r.Note }),
            }, JsonOptions));
        }
    }

    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    /// <summary>The checked-out commit (with <c>+dirty</c> when the tree has changes), or <c>unknown</c> without git.</summary>
    public static string Commit(string repositoryRoot)
    {
        try
        {
            var head = Git(repositoryRoot, "rev-parse", "--short", "HEAD");
            return Git(repositoryRoot, "status", "--porcelain", "--untracked-files=no").Length > 0 ? $"{head}+dirty" : head;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return "unknown";
        }
    }

    private static string Git(string directory, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var git = Process.Start(info) ?? throw new InvalidOperationException("git did not start");
        var output = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return git.ExitCode == 0 ? output : throw new InvalidOperationException($"git {string.Join(' ', args)} failed");
    }
}
