using System.Text.Json;
using Backfill.Scheduling.Alerts;

namespace Backfill.Cli.Output;

/// <summary>
/// What <c>notify test</c> came to, a line per target (<c>delivered  NAME</c>, <c>failed     NAME: why</c>) and a total;
/// or one JSON object: <c>{"ok": …, "targets": [{"target", "delivered", "reason"}]}</c>.
/// </summary>
internal static class NotifyView
{
    public static void Write(TextWriter writer, IReadOnlyList<(string Target, DeliveryOutcome Outcome)> results)
    {
        foreach (var (target, outcome) in results)
        {
            writer.WriteLine(outcome.Delivered ? $"delivered  {target}" : $"failed     {target}: {outcome.Reason}");
        }

        var failed = results.Count(r => !r.Outcome.Delivered);
        writer.WriteLine(failed == 0 ? $"Every target ({results.Count}) took the test notification." : $"{failed} of {results.Count} target(s) did not take the test notification.");
    }

    public static string Json(IReadOnlyList<(string Target, DeliveryOutcome Outcome)> results) => JsonSerializer.Serialize(new
    {
        ok = results.All(r => r.Outcome.Delivered),
        targets = results.Select(r => new { target = r.Target, delivered = r.Outcome.Delivered, reason = r.Outcome.Reason }),
    });
}
