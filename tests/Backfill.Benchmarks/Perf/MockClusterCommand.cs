using System.CommandLine;
using Backfill.Messaging;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;

namespace Backfill.Benchmarks.Perf;

/// <summary>
/// <c>mock-cluster --namespace NS…</c> (hidden): librdkafka's mock cluster in a process of its own, with the product's
/// topics of each namespace and the raw loop's two, until stopped. Out of the measured process, so the messages it
/// holds in memory do not count in the worker's RSS (P5) and its threads not in the worker's.
/// </summary>
internal static class MockClusterCommand
{
    public const string Name = "mock-cluster";

    public static Command Create()
    {
        var namespaces = new Option<string[]>("--namespace") { Description = "Topic namespaces to create.", AllowMultipleArgumentsPerToken = false, Required = true };
        var command = new Command(Name, "The mock cluster for perf (internal).") { namespaces };
        command.Hidden = true;
        command.SetAction(async (parse, ct) =>
        {
            using var cluster = MockCluster.Start();
            foreach (var ns in parse.GetValue(namespaces)!)
            {
                var partitions = new TopicPartitionOptions();
                cluster.CreateTopics([.. new TopicNames(ns).Specs(partitions), .. RawTopics.Specs(ns, partitions)]);
            }

            await Console.Out.WriteLineAsync($"bootstrap: {cluster.BootstrapServers}");
            await Console.Out.FlushAsync(ct);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }

            return 0;
        });
        return command;
    }
}

/// <summary>The raw loop's output topics: as many partitions as the product's orders and progress topics.</summary>
internal static class RawTopics
{
    public static string Orders(string ns) => $"{ns}.raw.orders";

    public static string Progress(string ns) => $"{ns}.raw.progress";

    public static IEnumerable<TopicSpec> Specs(string ns, TopicPartitionOptions partitions) =>
        [new TopicSpec(Orders(ns), partitions.Orders, false), new TopicSpec(Progress(ns), partitions.Progress, false)];
}
