using System.CommandLine;
using Backfill.Messaging;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;
using Microsoft.Extensions.Configuration;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill dev-kafka</c>: the embedded mock cluster as its own process, for several processes on one machine.</summary>
internal static class DevKafkaCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var brokers = CommonOptions.Positive(new Option<int>("--brokers") { Description = "Brokers in the mock cluster.", DefaultValueFactory = _ => 3 });
        var command = new Command("dev-kafka", "Run librdkafka's mock Kafka cluster (real protocol, in memory) until Ctrl-C, with the product's topics created.\n\nExample:\n  backfill dev-kafka --brokers 3\n  backfill worker --Kafka:BootstrapServers=127.0.0.1:PORT --Kafka:GroupProtocol=consumer") { brokers };
        command.SetAction(async (parse, ct) =>
        {
            var configuration = CliConfiguration.Build(overrides);
            var kafka = configuration.GetSection("Kafka").Get<KafkaOptions>() ?? new KafkaOptions();
            using var cluster = MockCluster.Start(parse.GetValue(brokers));
            var topics = new TopicNames(kafka.Namespace).Specs(kafka.Partitions);
            cluster.CreateTopics(topics);
            Console.Out.WriteLine($"bootstrap: {cluster.BootstrapServers}");
            Console.Error.WriteLine($"{cluster.Brokers} broker(s); topics {string.Join(", ", topics.Select(t => $"{t.Name}({t.Partitions})"))}. Ctrl-C to stop.");

            // A classic-protocol rebalance on the mock cluster lasts a whole session timeout; KIP-848 takes about a second.
            Console.Error.WriteLine($"Give every other process: --Kafka:BootstrapServers={cluster.BootstrapServers} --Kafka:GroupProtocol=consumer");
            await Console.Out.FlushAsync(ct);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
            }

            Console.Error.WriteLine("dev-kafka stopped.");
            return ExitCodes.Success;
        });
        return command;
    }
}
