using System.Globalization;
using Backfill.Hosting.Telemetry;
using Backfill.Server.Metrics;

namespace Backfill.Server.Tests.Metrics;

public sealed class PrometheusTextTests
{
    [Fact]
    public void Family_WritesHelpAndTypeOnce_ThenItsSamples()
    {
        var text = new PrometheusText()
            .Family("backfill_x_total", MetricType.Counter, "Things done.").Sample(3, ("platform", "demo")).Sample(4, ("platform", "other"))
            .Family("backfill_y", MetricType.Gauge, "A level.").Sample(0.5)
            .ToString();

        Assert.Equal(
            "# HELP backfill_x_total Things done.\n# TYPE backfill_x_total counter\nbackfill_x_total{platform=\"demo\"} 3\nbackfill_x_total{platform=\"other\"} 4\n" +
            "# HELP backfill_y A level.\n# TYPE backfill_y gauge\nbackfill_y 0.5\n",
            text);
    }

    [Fact]
    public void LabelValues_EscapeBackslashQuoteAndLineFeed()
    {
        var text = new PrometheusText().Family("m", MetricType.Gauge, "h").Sample(1, ("job", "a\\b\"c\nd"), ("lane", "2")).ToString();

        Assert.EndsWith("m{job=\"a\\\\b\\\"c\\nd\",lane=\"2\"} 1\n", text, StringComparison.Ordinal);
        var parsed = ExpositionParser.Parse(text);
        Assert.Equal(1, parsed.Value("m", ("job", "a\\b\"c\nd"), ("lane", "2")));
    }

    [Fact]
    public void Help_EscapesBackslashAndLineFeed_ButNotQuotes()
    {
        var text = new PrometheusText().Family("m", MetricType.Gauge, "a \"b\" c\\d\ne").ToString();

        Assert.StartsWith("# HELP m a \"b\" c\\\\d\\ne\n", text, StringComparison.Ordinal);
        Assert.Equal("a \"b\" c\\d\ne", ExpositionParser.Parse(text).Families["m"].Help);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(3.0, "3")]
    [InlineData(-0.25, "-0.25")]
    [InlineData(2.675, "2.675")]
    [InlineData(1e21, "1E+21")]
    public void Format_WritesGoFloatSyntax(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.Format(value));

    [Fact]
    public void Counts_AreWrittenAsExactIntegers()
    {
        var text = new PrometheusText().Family("m_total", MetricType.Counter, "h").Sample(long.MaxValue).ToString();

        Assert.EndsWith("m_total 9223372036854775807\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_IgnoresTheCurrentCulture()
    {
        var before = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            Assert.Equal("0.5", PrometheusText.Format(0.5));
        }
        finally
        {
            CultureInfo.CurrentCulture = before;
        }
    }

    [Fact]
    public void AFamilyTwice_IsRefused()
    {
        var text = new PrometheusText().Family("m", MetricType.Gauge, "h");

        Assert.Throws<ArgumentException>(() => text.Family("m", MetricType.Gauge, "h"));
    }

    [Fact]
    public void ASampleWithoutFamily_IsRefused() =>
        Assert.Throws<InvalidOperationException>(() => new PrometheusText().Sample(1));

    [Theory]
    [InlineData("1abc")]
    [InlineData("a-b")]
    [InlineData("")]
    public void BadMetricNames_AreRefused(string name) =>
        Assert.Throws<ArgumentException>(() => new PrometheusText().Family(name, MetricType.Gauge, "h"));

    [Theory]
    [InlineData("a:b")]
    [InlineData("__reserved")]
    [InlineData("9")]
    public void BadLabelNames_AreRefused(string label) =>
        Assert.Throws<ArgumentException>(() => new PrometheusText().Family("m", MetricType.Gauge, "h").Sample(1, (label, "v")));
}
