using System.Diagnostics;
using Backfill.Core.Jobs;
using Backfill.Core.Telemetry;
using Backfill.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Tags = Backfill.Core.Telemetry.BackfillTelemetry.Tags;

namespace Backfill.EndToEnd.Tests;

/// <summary>A real job's traces, taken by OpenTelemetry's in-memory exporter: one trace per slice, across the Kafka hops.</summary>
[Trait("Category", "Integration")]
public sealed class TracingTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Run_EachSlice_IsOneTraceOfReleaseStepsCallsAndProgress()
    {
        var spans = new List<Activity>();
        using var tracing = Sdk.CreateTracerProviderBuilder().AddSource(BackfillTelemetry.Name).AddInMemoryExporter(spans).Build();
        await using var harness = await Harness.StartAsync();

        // One page per step and small pages: every slice takes several steps, each produced by the worker that ran the one before.
        harness.Settings["Worker:PagesPerStep"] = "1";
        harness.Settings[$"Platforms:{Harness.Platform}:PageSize"] = "40";
        using var host = InProcessRun.BuildHost(harness.Configuration(), Harness.Logging);
        using var cts = new CancellationTokenSource(Limit);

        var summary = await InProcessRun.RunAsync(host, harness.Request(new DateOnly(2024, 2, 26), 2), null, cts.Token);
        tracing.ForceFlush();

        Assert.Equal(JobState.Succeeded, summary.State);
        List<Activity> all;
        lock (spans)
        {
            all = [.. spans];
        }

        var ofJob = all.Where(a => Tag(a, Tags.Job) == summary.Job).ToList();
        var releases = ofJob.Where(a => a.OperationName == BackfillTelemetry.Release).ToList();
        Assert.Equal(summary.Slices.Total, releases.Count);
        Assert.Equal(releases.Count, releases.Select(r => r.TraceId).Distinct().Count());
        var multiStep = 0;
        foreach (var release in releases)
        {
            var slice = Tag(release, Tags.Slice);
            Assert.Equal(ActivityKind.Producer, release.Kind);
            Assert.Equal(default, release.ParentSpanId);
            var trace = all.Where(a => a.TraceId == release.TraceId).ToList();

            // Every span of the slice, and only those, is in the release's trace.
            Assert.All(ofJob.Where(a => Tag(a, Tags.Slice) == slice), a => Assert.Equal(release.TraceId, a.TraceId));
            Assert.All(trace.Where(a => a.OperationName != BackfillTelemetry.PlatformCall), a => Assert.Equal(slice, Tag(a, Tags.Slice)));

            // release → step 0 → step 1 → …: each step the child of the message that carried it across Kafka.
            var steps = trace.Where(a => a.OperationName == BackfillTelemetry.Step).OrderBy(a => int.Parse(Tag(a, Tags.Step)!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.NotEmpty(steps);
            Assert.Equal(Enumerable.Range(0, steps.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), steps.Select(s => Tag(s, Tags.Step)));
            Assert.Equal(release.SpanId, steps[0].ParentSpanId);
            for (var i = 1; i < steps.Count; i++)
            {
                Assert.Equal(steps[i - 1].SpanId, steps[i].ParentSpanId);
                Assert.Equal("next", Tag(steps[i - 1], Tags.Outcome));
            }

            Assert.Equal("succeeded", Tag(steps[^1], Tags.Outcome));
            Assert.All(steps, s => Assert.Equal(ActivityKind.Consumer, s.Kind));
            multiStep += steps.Count > 1 ? 1 : 0;

            // Every platform call is a child of a step of the slice, tagged with its platform, shop and lane.
            var stepIds = steps.Select(s => s.SpanId).ToHashSet();
            var calls = trace.Where(a => a.OperationName == BackfillTelemetry.PlatformCall).ToList();
            Assert.All(calls, c =>
            {
                Assert.Contains(c.ParentSpanId, stepIds);
                Assert.Equal(ActivityKind.Client, c.Kind);
                Assert.Equal(Harness.Platform, Tag(c, Tags.Platform));
                Assert.Equal(Tag(release, Tags.Shop), Tag(c, Tags.Shop));
                Assert.Equal(Tag(release, Tags.Lane), Tag(c, Tags.Lane));
                Assert.Equal("ok", Tag(c, Tags.Outcome));
            });
            Assert.All(steps, s => Assert.Contains(calls, c => c.ParentSpanId == s.SpanId));

            // The scheduler's application of every report is a child of the step that sent it.
            var progress = trace.Where(a => a.OperationName == BackfillTelemetry.Progress).ToList();
            Assert.All(progress, p =>
            {
                Assert.Equal(ActivityKind.Consumer, p.Kind);
                Assert.Equal(steps.Single(s => Tag(s, Tags.Step) == Tag(p, Tags.Step)).SpanId, p.ParentSpanId);
                Assert.Equal("applied", Tag(p, Tags.Outcome));
            });
            Assert.Equal(steps.Count, progress.Count(p => Tag(p, Tags.Kind) == "StepDone"));
            Assert.Single(progress, p => Tag(p, Tags.Kind) == "SliceSucceeded");
        }

        Assert.True(multiStep > 0, "some slice should have taken more than one step");
        var secrets = Harness.Shops.Select(Harness.Token).Append(Harness.PartnerKey).ToList();
        Assert.All(all.Where(a => releases.Any(r => r.TraceId == a.TraceId)), a =>
        {
            var texts = a.Tags.Select(t => t.Value ?? "").Append(a.StatusDescription ?? "").Append(a.TraceStateString ?? "");
            Assert.DoesNotContain(texts, text => secrets.Any(secret => text.Contains(secret, StringComparison.Ordinal)));
        });
    }

    private static string? Tag(Activity activity, string name) => activity.GetTagItem(name)?.ToString();
}
