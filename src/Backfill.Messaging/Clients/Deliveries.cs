using Confluent.Kafka;

namespace Backfill.Messaging.Clients;

/// <summary>
/// Messages produced together and one task for all their acknowledgements: <see cref="Acknowledged"/> ends when Kafka
/// has acknowledged every one, or fails with the first failure. Each message's report is counted on the producer's
/// delivery thread; <c>ProduceAsync</c> instead completes a task per message, each of which wakes a thread-pool thread,
/// and a worker step produces a dozen of them (docs/performance.md, P4: that was the worker's largest cost after the broker).
/// </summary>
public sealed class Deliveries
{
    private readonly IProducer<string, byte[]> _producer;
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<DeliveryReport<string, byte[]>> _delivered;

    // One more than the messages awaiting their report until Acknowledged is asked for, so it cannot end early.
    private int _outstanding = 1;
    private int _sealed;

    public Deliveries(IProducer<string, byte[]> producer)
    {
        _producer = producer;
        _delivered = Delivered;
    }

    /// <summary>Messages produced so far.</summary>
    public int Count { get; private set; }

    /// <exception cref="ProduceException{TKey,TValue}">The producer refused it at once (its queue is full, the message too large).</exception>
    public void Produce(string topic, Message<string, byte[]> message) => Produce(new TopicPartition(topic, Partition.Any), message);

    /// <inheritdoc cref="Produce(string, Message{string, byte[]})"/>
    public void Produce(TopicPartition partition, Message<string, byte[]> message)
    {
        if (Volatile.Read(ref _sealed) != 0)
        {
            throw new InvalidOperationException("Every message was produced already: Acknowledged has been asked for.");
        }

        Interlocked.Increment(ref _outstanding);
        try
        {
            _producer.Produce(partition, message, _delivered);
            Count++;
        }
        catch
        {
            Interlocked.Decrement(ref _outstanding);
            throw;
        }
    }

    /// <summary>Ends once every message produced here is acknowledged; no message may be added after it is asked for.</summary>
    public Task Acknowledged()
    {
        if (Interlocked.Exchange(ref _sealed, 1) == 0)
        {
            Settle();
        }

        return _all.Task;
    }

    private void Delivered(DeliveryReport<string, byte[]> report)
    {
        if (report.Error.IsError)
        {
            _all.TrySetException(new ProduceException<string, byte[]>(report.Error, report));
            return;
        }

        Settle();
    }

    private void Settle()
    {
        if (Interlocked.Decrement(ref _outstanding) == 0)
        {
            _all.TrySetResult();
        }
    }
}
