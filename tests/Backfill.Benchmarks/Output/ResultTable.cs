using System.Globalization;
using Backfill.Benchmarks.Scenarios;
using Spectre.Console;

namespace Backfill.Benchmarks.Output;

/// <summary>The human table: one row per (mode, W), targets marked ✓ / ✗ where they apply.</summary>
internal static class ResultTable
{
    public static void Write(IAnsiConsole console, string title, IReadOnlyList<RunResult> results)
    {
        var table = new Table { Title = new TableTitle(title), Border = TableBorder.Rounded };
        table.AddColumns("mode", "W", "accepted", "refused", "max arrived / 1 s", "max accepted / 1 s", "utilisation", "longest idle", "slices", "orders (unique / expected)", "elapsed", "result");
        foreach (var column in table.Columns.Skip(1).Take(10))
        {
            column.RightAligned();
        }

        foreach (var r in results)
        {
            var slices = r.Job is { } job ? $"{job.Succeeded}/{job.Total}" : "–";
            var killed = r.WorkerKilledAt is { } at ? $" (kill @ {at.TotalSeconds:0} s)" : "";
            table.AddRow(
                Markup.Escape(r.Mode.Name),
                Text(r.Workers),
                Text(r.Platform.Accepted),
                Mark(Text(r.Platform.Refused), r.NoRefusals),
                Mark(Text(r.Platform.PeakArrivalsPerSecond), r.WithinLimit),
                Text(r.Platform.PeakCallsPerSecond),
                Mark(r.Utilisation is { } u ? u.ToString("0.000", CultureInfo.InvariantCulture) : "–", r.UtilisationMet),
                $"{r.LongestIdle.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s",
                Mark(slices, r.Mode.HasTargets ? r.Job is { State: "succeeded" } j && j.Succeeded == j.Total : null),
                Mark($"{Text(r.OrdersUnique)} / {Text(r.OrdersExpected)}", r.Mode.HasTargets ? r.OrdersUnique == r.OrdersExpected : null),
                $"{r.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s{killed}",
                Verdict(r));
        }

        console.Write(table);
        console.MarkupLine(Markup.Escape(
            $"Targets (fleet mode): refused = 0 and max arrived ≤ R in every sliding second, for every W; utilisation ≥ {(results.Count > 0 ? results[0].UtilisationTarget : 0.95):0.000} for W ≥ 2 (any W without a kill); every slice succeeded and every order saved once. "
            + "Utilisation = accepted ÷ (last − first accepted call) ÷ R; under a per-shop limit S, accepted ÷ the calls min(R, S × shops still with calls to make) allowed over that span (JSON: utilisationOfRate, as if all shops had equal work); longest idle: the longest time without an accepted call, sampled every 250 ms."));
    }

    private static string Verdict(RunResult r) =>
        r.Error is not null ? "[red]error[/]"
        : !r.Mode.HasTargets ? (r.Complete ? "complete" : "[yellow]incomplete[/]")
        : r.TargetsMet ? "[green]targets met[/]"
        : "[red]targets missed[/]";

    private static string Mark(string value, bool? met) => met switch
    {
        true => $"{Markup.Escape(value)} [green]✓[/]",
        false => $"{Markup.Escape(value)} [red]✗[/]",
        null => Markup.Escape(value),
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
