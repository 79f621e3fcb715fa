using System.Runtime.InteropServices;
using System.Text;
using Backfill.Messaging.Topics;

namespace Backfill.Messaging.Embedded;

/// <summary>
/// librdkafka's in-process mock cluster: real Kafka protocol on 127.0.0.1, in memory. Used by the demo, the
/// tests and <c>backfill dev-kafka</c>; other processes can connect to <see cref="BootstrapServers"/>.
/// </summary>
public sealed partial class MockCluster : IDisposable
{
    /// <summary>The session of a KIP-848 group member on this cluster: its partitions go to others this long after its last heartbeat.</summary>
    public static readonly TimeSpan ConsumerSessionTimeout = TimeSpan.FromSeconds(3);

    /// <summary>How often a KIP-848 group member heartbeats on this cluster.</summary>
    public static readonly TimeSpan ConsumerHeartbeatInterval = TimeSpan.FromMilliseconds(250);

    private const int ProducerType = 0;
    private readonly Lock _gate = new();
    private IntPtr _handle;
    private IntPtr _cluster;

    private MockCluster(IntPtr handle, IntPtr cluster, int brokers)
    {
        _handle = handle;
        _cluster = cluster;
        Brokers = brokers;
        BootstrapServers = Marshal.PtrToStringUTF8(MockClusterNative.ClusterBootstraps(cluster))
            ?? throw new InvalidOperationException("The mock cluster gave no bootstrap address.");
    }

    /// <summary><c>127.0.0.1:PORT,…</c>; ports are chosen by librdkafka.</summary>
    public string BootstrapServers { get; }

    public int Brokers { get; }

    /// <summary>
    /// Starts a cluster of <paramref name="brokers"/> brokers with group timings tuned for fast joins: no initial
    /// rebalance delay, and short KIP-848 session and heartbeat intervals.
    /// </summary>
    public static MockCluster Start(int brokers = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        MockClusterNative.EnsureLoaded();
        var errstr = new byte[512];
        var conf = MockClusterNative.ConfNew();
        // The handle only owns the cluster; keep its own logging quiet.
        _ = MockClusterNative.ConfSet(conf, "log_level", "3", errstr, (UIntPtr)errstr.Length);
        var handle = MockClusterNative.New(ProducerType, conf, errstr, (UIntPtr)errstr.Length);
        if (handle == IntPtr.Zero)
        {
            throw new InvalidOperationException($"rd_kafka_new failed: {Encoding.UTF8.GetString(errstr).TrimEnd('\0')}");
        }

        var cluster = MockClusterNative.ClusterNew(handle, brokers);
        if (cluster == IntPtr.Zero)
        {
            MockClusterNative.Destroy(handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
        }

        MockClusterNative.GroupInitialRebalanceDelayMs(cluster, 0);
        MockClusterNative.SetGroupConsumerSessionTimeoutMs(cluster, (int)ConsumerSessionTimeout.TotalMilliseconds);
        MockClusterNative.SetGroupConsumerHeartbeatIntervalMs(cluster, (int)ConsumerHeartbeatInterval.TotalMilliseconds);
        return new MockCluster(handle, cluster, brokers);
    }

    /// <summary>Creates topics the way a real cluster's admin API would (the mock has no CreateTopics API).</summary>
    public void CreateTopics(IEnumerable<TopicSpec> topics)
    {
        foreach (var topic in topics)
        {
            var err = MockClusterNative.TopicCreate(Cluster, topic.Name, topic.Partitions, Math.Min(Brokers, 3));
            if (err != 0)
            {
                throw new InvalidOperationException($"Creating topic {topic.Name} on the mock cluster failed: {Marshal.PtrToStringUTF8(MockClusterNative.ErrorToString(err))}");
            }
        }
    }

    private IntPtr Cluster
    {
        get
        {
            ObjectDisposedException.ThrowIf(_cluster == IntPtr.Zero, this);
            return _cluster;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            // The cluster must go before the handle that owns it.
            if (_cluster != IntPtr.Zero)
            {
                MockClusterNative.ClusterDestroy(_cluster);
                _cluster = IntPtr.Zero;
            }

            if (_handle != IntPtr.Zero)
            {
                MockClusterNative.Destroy(_handle);
                _handle = IntPtr.Zero;
            }
        }
    }
}
