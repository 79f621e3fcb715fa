using System.Text;

namespace Backfill.Scheduling.Alerts;

/// <summary>An alert as a plain-text mail: the subject names the event, the job and the platform; the body its facts. Pure.</summary>
public static class AlertMail
{
    public static string Subject(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var about = new[]
        {
            alert.Job is null ? null : $"job {alert.Job}",
            alert.Slices is { Count: > 0 } slices ? $"{slices.Count} slice(s)" : null,
            alert.Slice is null ? null : $"slice {alert.Slice}",
            alert.Shop is null ? null : $"shop {alert.Shop}",
            alert.Platform is null ? null : $"platform {alert.Platform}",
            alert.Event == AlertEvents.WorkerCommitFailures ? $"worker {alert.Subject}" : null,
        }.OfType<string>().ToList();
        return $"[backfill] {alert.Event}{(about.Count == 0 ? "" : ": " + string.Join(", ", about))}";
    }

    public static string Body(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var text = new StringBuilder();
        text.AppendLine(alert.Summary).AppendLine();
        Line(text, "event", alert.Event);
        Line(text, "at", Alert.Instant(alert.At));
        Line(text, "job", alert.Job);
        Line(text, "platform", alert.Platform);
        Line(text, "shop", alert.Shop);
        Line(text, "slice", alert.Slice);
        Line(text, "attempt", alert.Attempt?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Line(text, "state", alert.State);
        Line(text, alert.Event == AlertEvents.WorkerCommitFailures ? "worker" : "token", alert.Subject);
        Line(text, alert.Event == AlertEvents.SliceStuck ? "last heard" : "until", alert.Until is { } until ? Alert.Instant(until) : null);
        Line(text, "error", alert.Error);
        foreach (var (name, count) in alert.Counts ?? new Dictionary<string, long>())
        {
            Line(text, name, count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (alert.Slices is { Count: > 0 } slices)
        {
            text.AppendLine().AppendLine("Failed slices:");
            foreach (var s in slices)
            {
                text.AppendLine($"  {s.Slice} (shop {s.Shop}, attempt {s.Attempt}, {Alert.Instant(s.At)}{(s.Failure is null ? "" : $", {s.Failure}")}): {s.Error}");
            }
        }

        text.AppendLine().AppendLine($"key: {alert.Key}");
        return text.ToString();
    }

    private static void Line(StringBuilder text, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            text.AppendLine($"{name}: {value}");
        }
    }
}
