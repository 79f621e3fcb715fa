using System.Collections.Concurrent;
using System.Text;
using Backfill.Core.Jobs;
using Backfill.Core.Telemetry;
using Backfill.Hosting;
using Backfill.Hosting.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using ExportedMetric = OpenTelemetry.Metrics.MetricSnapshot;

namespace Backfill.EndToEnd.Tests;

/// <summary>The meter's instruments as an exporter reads them, and OTLP export to a real local receiver.</summary>
[Trait("Category", "Integration")]
public sealed class TelemetryExportTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Meter_ReportsTheSchedulersSeriesAsMetricsShowsThem_AndTheWorkersCounts()
    {
        var exported = new List<ExportedMetric>();
        using var metrics = Sdk.CreateMeterProviderBuilder().AddMeter(BackfillTelemetry.Name).AddInMemoryExporter(exported).Build();
        await using var harness = await Harness.StartAsync();
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        using var cts = new CancellationTokenSource(Limit);

        var summary = await InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 2, 26), 2), null, cts.Token);
        var snapshot = await host.Services.GetRequiredService<MetricsCollector>().CollectAsync(cts.Token);
        metrics.ForceFlush();

        Assert.Equal(JobState.Succeeded, summary.State);
        var checkedSamples = 0;
        foreach (var family in MetricFamilies.All)
        {
            foreach (var sample in family.Samples(snapshot))
            {
                var point = Point(exported, family.Instrument, sample.Labels);
                Assert.True(point is not null, $"{family.Instrument} {string.Join(",", sample.Labels)} was not reported");
                var value = family.Integral
                    ? family.Type == Hosting.Telemetry.MetricType.Counter ? point.Value.GetSumLong() : point.Value.GetGaugeLastValueLong()
                    : family.Type == Hosting.Telemetry.MetricType.Counter ? point.Value.GetSumDouble() : point.Value.GetGaugeLastValueDouble();
                Assert.Equal(sample.Value, value);
                checkedSamples++;
            }
        }

        Assert.True(checkedSamples > 30, $"only {checkedSamples} samples to compare");
        Assert.Equal(summary.Slices.Total, Point(exported, "backfill.releases", ("platform", Harness.Platform))!.Value.GetSumLong());
        Assert.Equal(summary.Slices.Succeeded, Point(exported, "backfill.slices", ("job", summary.Job), ("platform", Harness.Platform), ("state", "succeeded"))!.Value.GetGaugeLastValueLong());
        Assert.Equal(summary.Calls, Point(exported, "backfill.worker_platform_calls", ("platform", Harness.Platform))!.Value.GetSumLong());
        Assert.Equal(summary.OrdersEmitted, Point(exported, "backfill.worker_orders_emitted")!.Value.GetSumLong());
        Assert.True(Point(exported, "backfill.worker_steps")!.Value.GetSumLong() >= summary.Slices.Total);
        Assert.Equal(0, Point(exported, "backfill.worker_platform_refusals", ("platform", Harness.Platform), ("kind", "throttle"))!.Value.GetSumLong());
    }

    [Fact]
    public async Task OtlpEndpointSet_TracesAndMetricsArePostedToTheCollector()
    {
        var received = new ConcurrentQueue<(string Path, string ContentType, byte[] Body)>();
        await using var collector = await StartCollectorAsync(received);
        await using var harness = await Harness.StartAsync();
        harness.Settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Urls.Single();
        harness.Settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        harness.Settings["OTEL_SERVICE_NAME"] = "backfill-otlp-test";
        using var cts = new CancellationTokenSource(Limit);
        RunSummary summary;
        using (var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging))
        {
            Assert.NotNull(host.Services.GetService<TracerProvider>());
            summary = await InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 2, 26), 1, Harness.Shops[0]), null, cts.Token);
        }

        // Disposing the host shut the providers down: what they held was exported then.
        Assert.Equal(JobState.Succeeded, summary.State);
        var traces = received.Where(r => r.Path == "/v1/traces").ToList();
        var posted = received.Where(r => r.Path == "/v1/metrics").ToList();
        Assert.NotEmpty(traces);
        Assert.NotEmpty(posted);
        Assert.All(received, r => Assert.Equal("application/x-protobuf", r.ContentType));
        var traceText = string.Concat(traces.Select(t => Encoding.UTF8.GetString(t.Body)));
        Assert.Contains("backfill-otlp-test", traceText, StringComparison.Ordinal);
        foreach (var span in new[] { BackfillTelemetry.Release, BackfillTelemetry.Step, BackfillTelemetry.PlatformCall, BackfillTelemetry.Progress })
        {
            Assert.Contains(span, traceText, StringComparison.Ordinal);
        }

        Assert.Contains(summary.Job, traceText, StringComparison.Ordinal);
        var metricText = string.Concat(posted.Select(t => Encoding.UTF8.GetString(t.Body)));
        Assert.Contains("backfill.releases", metricText, StringComparison.Ordinal);
        Assert.Contains("backfill.worker_platform_calls", metricText, StringComparison.Ordinal);
        var secrets = Harness.Shops.Select(Harness.Token).Append(Harness.PartnerKey);
        Assert.DoesNotContain(secrets, s => traceText.Contains(s, StringComparison.Ordinal) || metricText.Contains(s, StringComparison.Ordinal));
    }

    [Fact]
    public void OtlpEndpointUnset_NoExporterIsRegistered()
    {
        using var host = InProcessRun.BuildHost(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());

        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.Null(host.Services.GetService<MeterProvider>());
    }

    /// <summary>A local OTLP/HTTP receiver: keeps every POST's path, content type and body, and answers 200.</summary>
    private static async Task<WebApplication> StartCollectorAsync(ConcurrentQueue<(string, string, byte[])> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/v1/{signal}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            received.Enqueue((context.Request.Path.Value ?? "", context.Request.ContentType ?? "", body.ToArray()));
            return Results.Ok();
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>The last exported point of <paramref name="name"/> with exactly these tags.</summary>
    private static MetricPoint? Point(List<ExportedMetric> exported, string name, params (string Name, string Value)[] tags)
    {
        var metric = exported.LastOrDefault(m => m.Name == name);
        if (metric is null)
        {
            return null;
        }

        foreach (var point in metric.MetricPoints)
        {
            var have = new List<(string, string)>();
            foreach (var tag in point.Tags)
            {
                have.Add((tag.Key, tag.Value?.ToString() ?? ""));
            }

            if (have.Count == tags.Length && tags.All(have.Contains))
            {
                return point;
            }
        }

        return null;
    }
}
