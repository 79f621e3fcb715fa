using System.Text.Json;
using Backfill.Hosting.Diagnostics;
using Spectre.Console;

namespace Backfill.Cli.Output;

/// <summary>The rows of <c>doctor</c> as a table, or as one JSON object: <c>{"ok": …, "checks": [{"check", "status", "detail"}]}</c>.</summary>
internal static class DoctorView
{
    public static void Write(TextWriter writer, IReadOnlyList<DoctorCheck> checks)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn("check");
        table.AddColumn("status");
        table.AddColumn("detail");
        foreach (var check in checks)
        {
            var status = check.Status switch
            {
                CheckStatus.Ok => "[green]ok[/]",
                CheckStatus.Warn => "[yellow]warn[/]",
                _ => "[red]fail[/]",
            };
            table.AddRow(Markup.Escape(check.Check), status, Markup.Escape(check.Detail));
        }

        console.Write(table);
        var failed = checks.Count(c => c.Status == CheckStatus.Fail);
        var warned = checks.Count(c => c.Status == CheckStatus.Warn);
        writer.WriteLine(failed > 0 ? $"{failed} check(s) failed, {warned} warning(s)." : $"No check failed; {warned} warning(s).");
    }

    public static string Json(IReadOnlyList<DoctorCheck> checks) => JsonSerializer.Serialize(new
    {
        ok = checks.All(c => c.Status != CheckStatus.Fail),
        checks = checks.Select(c => new { check = c.Check, status = c.Status.ToString().ToLowerInvariant(), detail = c.Detail }),
    });
}
