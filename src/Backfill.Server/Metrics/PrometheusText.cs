using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Backfill.Hosting.Telemetry;

namespace Backfill.Server.Metrics;

/// <summary>
/// Writes Prometheus' text exposition format, version 0.0.4: each family's <c># HELP</c> and <c># TYPE</c> once, then its
/// samples, label values and help escaped as the format says. Small on purpose: every figure of <c>/metrics</c> is read
/// at scrape time from one snapshot, and the series keep the names and labels they have always had (docs/decisions.md).
/// </summary>
internal sealed partial class PrometheusText
{
    /// <summary>The media type of the format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly StringBuilder _text = new();
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);
    private string? _family;

    /// <summary>Starts a family; its samples follow. A family appears once per exposition.</summary>
    /// <exception cref="ArgumentException">An invalid metric name, or a family already written.</exception>
    public PrometheusText Family(string name, MetricType type, string help)
    {
        if (!MetricName().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a metric name", nameof(name));
        }

        if (!_families.Add(name))
        {
            throw new ArgumentException($"family '{name}' was already written", nameof(name));
        }

        _family = name;
        _text.Append("# HELP ").Append(name).Append(' ').Append(EscapeHelp(help)).Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type.ToString().ToLowerInvariant()).Append('\n');
        return this;
    }

    /// <summary>A sample of the current family.</summary>
    public PrometheusText Sample(double value, params ReadOnlySpan<(string Name, string Value)> labels) => Sample(Format(value), labels);

    /// <summary>A sample of the current family; counts are written as integers, exactly.</summary>
    public PrometheusText Sample(long value, params ReadOnlySpan<(string Name, string Value)> labels) =>
        Sample(value.ToString(CultureInfo.InvariantCulture), labels);

    public override string ToString() => _text.ToString();

    /// <summary>A label value as it goes between the quotes: backslash, double quote and line feed escaped.</summary>
    public static string EscapeLabelValue(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Help text: backslash and line feed escaped (quotes stay as they are).</summary>
    public static string EscapeHelp(string help) =>
        help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Go's float syntax, which Prometheus parses: <c>NaN</c>, <c>+Inf</c>, <c>-Inf</c>, else the shortest round-trip form.</summary>
    public static string Format(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    private PrometheusText Sample(string value, ReadOnlySpan<(string Name, string Value)> labels)
    {
        var family = _family ?? throw new InvalidOperationException("a sample needs a family first");
        _text.Append(family);
        if (labels.Length > 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                var (name, text) = labels[i];
                if (!LabelName().IsMatch(name) || name.StartsWith("__", StringComparison.Ordinal))
                {
                    throw new ArgumentException($"'{name}' is not a label name", nameof(labels));
                }

                _text.Append(i == 0 ? "" : ",").Append(name).Append("=\"").Append(EscapeLabelValue(text)).Append('"');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(value).Append('\n');
        return this;
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}
