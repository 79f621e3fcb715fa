using Backfill.Messaging;
using Backfill.Messaging.Topics;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// P4: N action messages through the product's worker (consume, step against an instant platform, produce the orders
/// and progress, commit) against <see cref="RawPipeline"/> on the same mock cluster with the same messages. Each side
/// is timed from its first step to the commit of the last action.
/// </summary>
internal sealed class PipelineScenario(PerfOptions options)
{
    private const int Rounds = 2;
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);
    private readonly TimeProvider _time = TimeProvider.System;

    public async Task<IReadOnlyList<PerfRow>> RunAsync(CancellationToken cancellationToken)
    {
        var count = options.PipelineActions;
        var partitions = new TopicPartitionOptions();
        var id = Guid.NewGuid().ToString("N")[..8];

        // One namespace per round: each round's worker group starts at the beginning of its own action topic.
        var rounds = Enumerable.Range(1, Rounds).Select(r => new TopicNames($"perf4-{id}-{r}")).ToList();
        await using var cluster = await ClusterProcess.StartAsync(rounds.Select(t => t.Namespace), cancellationToken);
        var raw = new List<TimeSpan>();
        var product = new List<TimeSpan>();
        foreach (var topics in rounds)
        {
            ActionFeed.Produce(cluster.BootstrapServers, topics, partitions.Actions, count);

            // Alternated, so a burst of load from elsewhere on the machine falls on both sides alike; the best round of each counts.
            raw.Add(await Task.Factory.StartNew(() => new RawPipeline(cluster.BootstrapServers, topics, options.OrdersPerAction).Run(count, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            Benchmarks.Progress.Line($"P4 raw loop: {count:N0} actions in {raw[^1].TotalSeconds:0.00} s ({count / raw[^1].TotalSeconds:N0}/s)");
            product.Add(await WorkerAsync(cluster.BootstrapServers, topics, partitions, count, cancellationToken));
            Benchmarks.Progress.Line($"P4 worker: {count:N0} actions in {product[^1].TotalSeconds:0.00} s ({count / product[^1].TotalSeconds:N0}/s)");
        }

        var perAction = options.OrdersPerAction + 3;
        var productRate = count / product.Min().TotalSeconds;
        var rawRate = count / raw.Min().TotalSeconds;
        return
        [
            new PerfRow("P4", $"worker pipeline, {count:N0} actions × ({options.OrdersPerAction} orders + 3 progress), best of {Rounds}", $"{productRate:N0} actions/s ({productRate * perAction:N0} msgs out/s)", $"{rawRate:N0} actions/s raw consume → produce → commit", productRate / rawRate, "≥ 0.7×", productRate / rawRate >= 0.7)
            {
                Figures = new Dictionary<string, object>
                {
                    ["actions"] = count,
                    ["ordersPerAction"] = options.OrdersPerAction,
                    ["productSeconds"] = product.Select(t => t.TotalSeconds).ToList(),
                    ["rawSeconds"] = raw.Select(t => t.TotalSeconds).ToList(),
                },
            },
        ];
    }

    private async Task<TimeSpan> WorkerAsync(string bootstrap, TopicNames topics, TopicPartitionOptions partitions, int count, CancellationToken cancellationToken)
    {
        using var watch = new OffsetWatch(bootstrap, topics.WorkerGroup, topics.Actions, partitions.Actions);
        using var host = WorkerHost.Build(bootstrap, topics.Namespace, options.OrdersPerAction, options.WorkerSettings);
        await host.StartAsync(cancellationToken);
        try
        {
            var deadline = TimeSpan.FromMinutes(10);
            var begun = _time.GetTimestamp();
            while (watch.Messages(topics.Progress, partitions.Progress) == 0)
            {
                Guard(begun, deadline, "no step started");
                await Task.Delay(Poll, _time, cancellationToken);
            }

            var started = _time.GetTimestamp();
            while (watch.Committed() < count)
            {
                Guard(begun, deadline, $"{watch.Committed()} of {count} actions committed");
                await Task.Delay(Poll, _time, cancellationToken);
            }

            return _time.GetElapsedTime(started);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private void Guard(long begun, TimeSpan deadline, string state)
    {
        if (_time.GetElapsedTime(begun) > deadline)
        {
            throw new TimeoutException($"P4: the worker did not finish within {deadline.TotalMinutes:0} min ({state}).");
        }
    }
}
