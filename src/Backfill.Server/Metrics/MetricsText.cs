using Backfill.Hosting.Telemetry;

namespace Backfill.Server.Metrics;

/// <summary>The series of <c>GET /metrics</c>: every family of <see cref="MetricFamilies"/> in Prometheus' text format.</summary>
internal static class MetricsText
{
    public static string Write(MetricsSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var text = new PrometheusText();
        foreach (var family in MetricFamilies.All)
        {
            text.Family(family.Name, family.Type, family.Help);
            foreach (var sample in family.Samples(snapshot))
            {
                if (sample.Count is { } count)
                {
                    text.Sample(count, sample.Labels);
                }
                else
                {
                    text.Sample(sample.Value, sample.Labels);
                }
            }
        }

        return text.ToString();
    }
}
