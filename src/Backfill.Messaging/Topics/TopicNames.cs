using Backfill.Core.Data;

namespace Backfill.Messaging.Topics;

/// <summary>The product's topics and consumer groups under one environment namespace (R12).</summary>
public sealed record TopicNames(string Namespace)
{
    public string Actions => $"{Namespace}.actions";

    public string Orders => $"{Namespace}.orders";

    public string Finance => $"{Namespace}.finance";

    public string Returns => $"{Namespace}.returns";

    /// <summary>The topic of one dataset's records.</summary>
    public string Records(Datasets dataset) => dataset switch
    {
        Datasets.Orders => Orders,
        Datasets.Finance => Finance,
        Datasets.Returns => Returns,
        _ => throw new ArgumentException($"'{dataset}' is not one dataset.", nameof(dataset)),
    };

    /// <summary>The dataset whose records <paramref name="topic"/> carries, or null.</summary>
    public Datasets? DatasetOf(string topic) => DatasetNames.All.Select(d => (Datasets?)d).FirstOrDefault(d => Records(d!.Value) == topic);

    public string Progress => $"{Namespace}.progress";

    public string DeadLetters => $"{Namespace}.actions.dlq";

    public string Control => $"{Namespace}.control";

    public string WorkerGroup => $"{Namespace}.workers";

    public string ProgressGroup => $"{Namespace}.scheduler.progress";

    public string SinkGroup => $"{Namespace}.scheduler.sink";

    /// <summary>Every process reads the whole control topic, so each has a group of its own.</summary>
    public string ControlGroup(string member) => $"{Namespace}.control.{member}";

    /// <summary>Every topic with its partition count and whether it is compacted.</summary>
    public IReadOnlyList<TopicSpec> Specs(TopicPartitionOptions partitions) =>
    [
        new(Actions, partitions.Actions, Compacted: false),
        new(Orders, partitions.Orders, Compacted: false),
        new(Finance, partitions.Orders, Compacted: false),
        new(Returns, partitions.Orders, Compacted: false),
        new(Progress, partitions.Progress, Compacted: false),
        new(DeadLetters, partitions.DeadLetters, Compacted: false),
        new(Control, partitions.Control, Compacted: true),
    ];
}

/// <summary>A topic the product needs.</summary>
public sealed record TopicSpec(string Name, int Partitions, bool Compacted);
