using System.Globalization;
using Backfill.Core.Data;
using Backfill.Messaging;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Topics;
using Backfill.Scheduling;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging.Abstractions;

namespace Backfill.Hosting.Diagnostics;

/// <summary>The Kafka rows of <c>doctor</c>: reachable, topics, partitions against lanes and workers (R9), consumer lag.</summary>
internal static class KafkaDoctor
{
    /// <summary>Each question to the cluster gets this long: an unreachable cluster fails in seconds, not minutes.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    // The configuration keys of the topics, in the order TopicNames.Specs lists them.
    /// <summary>The <c>Kafka:Partitions</c> key of each of <see cref="TopicNames.Specs"/>, in its order: the record topics share Orders'.</summary>
    private static readonly string[] PartitionKeys = ["Actions", "Orders", "Orders", "Orders", "Progress", "DeadLetters", "Control"];

    public static async Task<IReadOnlyList<DoctorCheck>> CheckAsync(KafkaOptions kafka, BackfillOptions backfill, int concurrency, IReadOnlyList<(string Platform, int Lanes)> lanes, TimeProvider time)
    {
        var names = new TopicNames(kafka.Namespace);
        if (string.IsNullOrWhiteSpace(kafka.BootstrapServers))
        {
            return
            [
                DoctorCheck.Warn("kafka", "Kafka:BootstrapServers is empty: every process starts its own embedded mock cluster, so a 'serve' and 'worker's in separate processes would never meet. Fine for 'demo' and 'run'; set it for a deployment."),
                .. LaneChecks(lanes, names.Actions, kafka.Partitions.Actions),
            ];
        }

        using var connection = KafkaConnection.Open(kafka);
        var clients = new KafkaClients(connection, new KafkaCounters(), NullLoggerFactory.Instance);
        using var probe = new ClusterProbe(clients, Deadline);
        var started = time.GetTimestamp();
        (int Brokers, IReadOnlyDictionary<string, int> Topics) metadata;
        try
        {
            metadata = probe.Metadata();
        }
        catch (KafkaException e)
        {
            return [DoctorCheck.Fail("kafka", $"Kafka at {kafka.BootstrapServers} did not answer within {Deadline.TotalSeconds:0} s ({e.Error.Reason}). Check Kafka:BootstrapServers, that the brokers run and can be reached from here, and the security settings under Kafka:Client.")];
        }

        var checks = new List<DoctorCheck>
        {
            DoctorCheck.Ok("kafka", $"{metadata.Brokers} broker(s) at {kafka.BootstrapServers} answered in {time.GetElapsedTime(started).TotalMilliseconds:0} ms."),
        };
        foreach (var (spec, key) in names.Specs(kafka.Partitions).Zip(PartitionKeys))
        {
            checks.Add(metadata.Topics.TryGetValue(spec.Name, out var count)
                ? DoctorCheck.Ok($"topic {spec.Name}", $"{count} partition(s)" + (count == spec.Partitions ? "." : $"; Kafka:Partitions:{key} says {spec.Partitions}, which applies only when the topic is created."))
                : DoctorCheck.Warn($"topic {spec.Name}", $"does not exist: 'backfill serve' creates it at start with {spec.Partitions} partition(s) (Kafka:Partitions:{key}) where it may create topics; otherwise create it."));
        }

        if (!metadata.Topics.TryGetValue(names.Actions, out var actions))
        {
            return checks;
        }

        checks.AddRange(LaneChecks(lanes, names.Actions, actions));
        var (workers, unknown) = await MembersAsync(probe, names.WorkerGroup);
        checks.Add(Workers(workers, unknown, concurrency, names.WorkerGroup, names.Actions, actions));

        checks.Add(await LagAsync(probe, "lag workers", names.WorkerGroup, names.Actions, actions, workers, backfill.MaxActionLag, "action messages", "'backfill worker'"));
        if (metadata.Topics.TryGetValue(names.Progress, out var progress))
        {
            checks.Add(await LagAsync(probe, "lag scheduler progress", names.ProgressGroup, names.Progress, progress, (await MembersAsync(probe, names.ProgressGroup)).Members, null, "progress messages", "'backfill serve'"));
        }

        // One sink reader reads the three record topics in one group.
        foreach (var dataset in DatasetNames.All)
        {
            var name = DatasetNames.Name(dataset);
            if (metadata.Topics.TryGetValue(names.Records(dataset), out var records))
            {
                var check = dataset == Datasets.Orders ? "lag scheduler sink" : $"lag scheduler sink {name}";
                checks.Add(await LagAsync(probe, check, names.SinkGroup, names.Records(dataset), records, (await MembersAsync(probe, names.SinkGroup)).Members, null, $"{name} records", "'backfill serve'"));
            }
        }

        return checks;
    }

    private static IEnumerable<DoctorCheck> LaneChecks(IReadOnlyList<(string Platform, int Lanes)> lanes, string topic, int partitions) =>
        lanes.Select(p => PartitionAdvice.Lanes(p.Platform, p.Lanes, topic, partitions) is { } advice
            ? DoctorCheck.Warn($"lanes {p.Platform}", advice)
            : DoctorCheck.Ok($"lanes {p.Platform}", $"{p.Lanes} budget lane(s), each on its own partition of {topic} ({partitions})."));

    /// <summary>
    /// The row on worker consumers against action partitions (R9): from the group's members when the cluster can describe
    /// the group, else from one worker process's <c>Worker:Concurrency</c>.
    /// </summary>
    /// <param name="members">Members of the worker group now; null when they could not be counted.</param>
    /// <param name="unknown">Why they could not be counted.</param>
    public static DoctorCheck Workers(int? members, string? unknown, int concurrency, string group, string topic, int partitions)
    {
        if (members is not { } n)
        {
            return PartitionAdvice.Consumers(concurrency, "per worker process (Worker:Concurrency)", topic, partitions) is { } advice
                ? DoctorCheck.Warn("workers", $"{unknown}; by this configuration: {advice}")
                : DoctorCheck.Ok("workers", $"{unknown}; by this configuration, each worker process's {concurrency} consumer(s) (Worker:Concurrency) fit the {partitions} partition(s) of {topic}.");
        }

        return n == 0 ? DoctorCheck.Warn("workers", $"no worker consumer is in group {group} now: released slices wait until a 'backfill worker' runs.")
            : PartitionAdvice.Consumers(n, $"are in group {group}", topic, partitions) is { } tooMany ? DoctorCheck.Warn("workers", tooMany)
            : DoctorCheck.Ok("workers", $"{n} worker consumer(s) in group {group} share the {partitions} partition(s) of {topic}.");
    }

    private static async Task<(int? Members, string? Unknown)> MembersAsync(ClusterProbe probe, string group)
    {
        try
        {
            return ((await probe.MembersAsync(group)).Members, null);
        }
        catch (KafkaException e)
        {
            var error = e is DescribeConsumerGroupsException d && d.Results.ConsumerGroupDescriptions.FirstOrDefault() is { } result ? result.Error : e.Error;
            return (null, error.Code == ErrorCode.Local_UnsupportedFeature
                ? $"the members of group {group} cannot be counted: this cluster does not describe consumer groups (librdkafka's mock cluster, as 'dev-kafka' runs, does not)"
                : $"the members of group {group} could not be counted ({error.Reason})");
        }
    }

    private static async Task<DoctorCheck> LagAsync(ClusterProbe probe, string check, string group, string topic, int partitions, int? members, long? limit, string what, string reader)
    {
        long lag;
        try
        {
            lag = await probe.LagAsync(group, topic, partitions);
        }
        catch (KafkaException e)
        {
            return DoctorCheck.Warn(check, $"could not read the lag of group {group} on {topic}: {e.Error.Reason}");
        }

        var waiting = $"{lag.ToString(CultureInfo.InvariantCulture)} {what} on {topic} wait for group {group}";
        return lag > 0 && members == 0 ? DoctorCheck.Warn(check, $"{waiting} and nobody in the group reads them: is {reader} running?")
            : lag > limit ? DoctorCheck.Warn(check, $"{waiting}, more than Backfill:MaxActionLag ({limit}): releases for the platforms behind are held until workers catch up.")
            : DoctorCheck.Ok(check, $"{waiting}.");
    }
}
