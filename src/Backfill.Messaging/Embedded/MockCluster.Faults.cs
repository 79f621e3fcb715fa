using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Backfill.Messaging.Embedded;

/// <summary>Kafka API keys whose requests the broker fault scenarios make fail (the protocol's numbers).</summary>
public enum KafkaApi : short
{
    Produce = 0,
    Fetch = 1,
    Metadata = 3,
    OffsetCommit = 8,
    FindCoordinator = 10,
    JoinGroup = 11,
    Heartbeat = 12,

    /// <summary>KIP-848 groups (<c>group.protocol=consumer</c>) join and heartbeat with this one request.</summary>
    ConsumerGroupHeartbeat = 68,
}

/// <summary>Fault injection on the mock cluster: brokers down and up, slow brokers, leader moves, failing requests.</summary>
public sealed partial class MockCluster
{
    /// <summary>Broker ids of the mock cluster are 1…<see cref="Brokers"/>; −1 means all of them.</summary>
    public const int AllBrokers = -1;

    /// <summary>Disconnects the broker and refuses new connections; leaders stay where they are.</summary>
    public void BrokerDown(int brokerId) => Check(MockClusterNative.BrokerSetDown(Cluster, brokerId), $"broker {brokerId} down");

    public void BrokerUp(int brokerId) => Check(MockClusterNative.BrokerSetUp(Cluster, brokerId), $"broker {brokerId} up");

    /// <summary>Delays every answer of the broker (or of all with <see cref="AllBrokers"/>) by <paramref name="rtt"/>.</summary>
    public void SetRoundTrip(int brokerId, TimeSpan rtt) =>
        Check(MockClusterNative.BrokerSetRtt(Cluster, brokerId, (int)rtt.TotalMilliseconds), $"broker {brokerId} round trip {rtt}");

    /// <summary>Moves the partition's leadership to <paramref name="brokerId"/> (−1: leaderless).</summary>
    public void MoveLeader(string topic, int partition, int brokerId) =>
        Check(MockClusterNative.PartitionSetLeader(Cluster, topic, partition, brokerId), $"leader of {topic}[{partition}] to {brokerId}");

    /// <summary>The next requests of <paramref name="api"/>, cluster-wide, are answered with these errors, one each, in order.</summary>
    public void FailNextRequests(KafkaApi api, params ErrorCode[] errors) =>
        MockClusterNative.PushRequestErrorsArray(Cluster, (short)api, (UIntPtr)errors.Length, [.. errors.Select(e => (int)e)]);

    /// <summary>Answers every metadata request about <paramref name="topic"/> with <paramref name="error"/> (<see cref="ErrorCode.NoError"/> ends it): its producers fail.</summary>
    public void SetTopicError(string topic, ErrorCode error) => MockClusterNative.TopicSetError(Cluster, topic, (int)error);

    /// <summary>Forgets the errors still queued for <paramref name="api"/>.</summary>
    public void ClearRequestErrors(KafkaApi api) => MockClusterNative.ClearRequestErrors(Cluster, (short)api);

    private static void Check(int err, string what)
    {
        if (err != 0)
        {
            throw new InvalidOperationException($"Mock cluster: {what} failed: {Marshal.PtrToStringUTF8(MockClusterNative.ErrorToString(err))}");
        }
    }
}
