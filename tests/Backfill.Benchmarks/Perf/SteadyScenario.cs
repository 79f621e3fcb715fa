using System.Diagnostics;
using Backfill.Messaging;
using Backfill.Messaging.Topics;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// P5 (incident R7): N action messages through one worker (this process, the mock cluster in another): its thread count
/// and resident memory sampled every second; the sample after a tenth of the messages (warm-up) against the last.
/// </summary>
internal sealed class SteadyScenario(PerfOptions options)
{
    private const int OrdersPerAction = 2;
    private const int ThreadsAllowed = 5;
    private const double RssGrowthAllowed = 0.10;
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _time = TimeProvider.System;

    public async Task<IReadOnlyList<PerfRow>> RunAsync(CancellationToken cancellationToken)
    {
        var count = options.SteadyActions;
        var partitions = new TopicPartitionOptions();
        var topics = new TopicNames($"perf5-{Guid.NewGuid():N}"[..14]);
        await using var cluster = await ClusterProcess.StartAsync([topics.Namespace], cancellationToken);
        ActionFeed.Produce(cluster.BootstrapServers, topics, partitions.Actions, count);

        using var watch = new OffsetWatch(cluster.BootstrapServers, topics.WorkerGroup, topics.Actions, partitions.Actions);
        using var host = WorkerHost.Build(cluster.BootstrapServers, topics.Namespace, OrdersPerAction, options.WorkerSettings);
        var samples = new List<Sample>();
        var started = _time.GetTimestamp();
        await host.StartAsync(cancellationToken);
        Sample? warm = null;
        Sample? end = null;
        try
        {
            while (true)
            {
                await Task.Delay(SampleEvery, _time, cancellationToken);
                var sample = Take(watch.Committed(), _time.GetElapsedTime(started));
                samples.Add(sample);
                if (sample.Actions >= count)
                {
                    // Before the host stops: its consumer threads end with it.
                    end = Settled(count, sample.Elapsed);
                    break;
                }

                if (warm is null && sample.Actions >= count / 10)
                {
                    warm = Settled(watch.Committed(), _time.GetElapsedTime(started));
                }

                if (sample.Elapsed > TimeSpan.FromMinutes(15))
                {
                    throw new TimeoutException($"P5: {sample.Actions} of {count} actions after {sample.Elapsed.TotalMinutes:0} min.");
                }
            }
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }

        // The two readings compared come after a full collection, so garbage waiting for the next GC counts in neither:
        // what stays is what the worker holds on to (R7's leak), not where the GC's sawtooth happened to be.
        warm ??= samples[0];
        end ??= samples[^1];
        foreach (var s in samples)
        {
            Benchmarks.Progress.Line($"P5 {s.Elapsed.TotalSeconds,6:0.0} s: {s.Actions,7:N0} actions, {s.Threads} threads, RSS {s.RssMiB:0.0} MiB, GC heap {s.HeapMiB:0.0} MiB");
        }

        Benchmarks.Progress.Line($"P5 compared (after a full GC): warm-up {warm.Actions:N0} actions, {warm.Threads} threads, RSS {warm.RssMiB:0.0} MiB; end {end.Actions:N0} actions, {end.Threads} threads, RSS {end.RssMiB:0.0} MiB");

        var threadDelta = end.Threads - warm.Threads;
        var rssGrowth = (end.RssMiB - warm.RssMiB) / warm.RssMiB;
        var seconds = (end.Elapsed - warm.Elapsed).TotalSeconds;
        var figures = new Dictionary<string, object>
        {
            ["actions"] = count,
            ["warmUp"] = warm,
            ["end"] = end,
            ["threadDelta"] = threadDelta,
            ["rssGrowth"] = rssGrowth,
            ["samples"] = samples,
        };
        return
        [
            new PerfRow("P5-threads", $"{count:N0} actions through one worker: threads", $"{end.Threads} at the end", $"{warm.Threads} after warm-up ({warm.Actions:N0} actions)", threadDelta, $"within ±{ThreadsAllowed}", Math.Abs(threadDelta) <= ThreadsAllowed) { Figures = figures },
            new PerfRow("P5-rss", $"{count:N0} actions through one worker: RSS", $"{end.RssMiB:0.0} MiB at the end", $"{warm.RssMiB:0.0} MiB after warm-up ({(end.Actions - warm.Actions) / seconds:N0} actions/s in between)", rssGrowth, $"growth < {RssGrowthAllowed:P0}", rssGrowth < RssGrowthAllowed) { Figures = figures },
        ];
    }

    private static Sample Settled(long actions, TimeSpan elapsed)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return Take(actions, elapsed) with { Settled = true };
    }

    private static Sample Take(long actions, TimeSpan elapsed)
    {
        using var self = Process.GetCurrentProcess();
        return new Sample(elapsed, actions, self.Threads.Count, self.WorkingSet64 / 1048576.0, GC.GetTotalMemory(false) / 1048576.0);
    }

    /// <summary>One reading of this process.</summary>
    internal sealed record Sample(TimeSpan Elapsed, long Actions, int Threads, double RssMiB, double HeapMiB)
    {
        /// <summary>Taken right after a full, compacting collection.</summary>
        public bool Settled { get; init; }
    }
}
