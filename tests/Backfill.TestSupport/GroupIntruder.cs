using Confluent.Kafka;

namespace Backfill.Testing;

/// <summary>Another member of a group (as a second scheduler started by mistake would be): it takes partitions, reads them and commits nothing.</summary>
internal sealed class GroupIntruder(string bootstrap, string group, string topic) : IDisposable
{
    private readonly CancellationTokenSource _leave = new();
    private readonly IConsumer<string, byte[]> _consumer = new ConsumerBuilder<string, byte[]>(new ConsumerConfig
    {
        BootstrapServers = bootstrap,
        GroupId = group,
        EnableAutoCommit = false,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        GroupProtocol = GroupProtocol.Consumer,
    }).Build();

    private Task _polling = Task.CompletedTask;

    /// <summary>The partitions it holds, once <see cref="HoldPartitionsAsync"/> returned.</summary>
    public IReadOnlyList<TopicPartition> Held { get; private set; } = [];

    public async Task HoldPartitionsAsync()
    {
        _consumer.Subscribe(topic);
        var assigned = new TaskCompletionSource();
        _polling = Task.Run(() =>
        {
            while (!_leave.IsCancellationRequested)
            {
                _consumer.Consume(TimeSpan.FromMilliseconds(50));
                if (_consumer.Assignment.Count > 0 && !assigned.Task.IsCompleted)
                {
                    Held = [.. _consumer.Assignment];
                    assigned.TrySetResult();
                }
            }

            _consumer.Close();
        });
        await assigned.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public void Leave()
    {
        _leave.Cancel();
        _polling.Wait(TimeSpan.FromSeconds(30));
    }

    public void Dispose()
    {
        if (!_leave.IsCancellationRequested)
        {
            Leave();
        }

        _consumer.Dispose();
        _leave.Dispose();
    }
}
