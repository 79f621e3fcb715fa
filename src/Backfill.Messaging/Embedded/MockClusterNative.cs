using System.Reflection;
using System.Runtime.InteropServices;

namespace Backfill.Messaging.Embedded;

/// <summary>
/// The slice of librdkafka's C API needed to run its mock cluster (rdkafka_mock.h), from the librdkafka that
/// Confluent.Kafka ships. On Debian the default <c>librdkafka.so</c> needs <c>libsasl2.so.3</c>, which is
/// missing, so the bundled <c>centos8-librdkafka.so</c> is the fallback, as in Confluent.Kafka itself.
/// </summary>
internal static partial class MockClusterNative
{
    private const string Library = "rdkafka-mock";

    static MockClusterNative() => NativeLibrary.SetDllImportResolver(typeof(MockClusterNative).Assembly, Resolve);

    /// <summary>Forces the resolver to be installed before the first call.</summary>
    public static void EnsureLoaded() => _ = LoadedFrom;

    public static string LoadedFrom { get; private set; } = Load();

    private static IntPtr _handle;

    private static string Load()
    {
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var dirs = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(MockClusterNative).Assembly.Location) ?? "" }
            .Distinct()
            .Select(d => Path.Combine(d, "runtimes", rid, "native"));
        var names = OperatingSystem.IsLinux()
            ? new[] { "librdkafka.so", "centos8-librdkafka.so" }
            : OperatingSystem.IsMacOS() ? ["librdkafka.dylib"] : ["librdkafka.dll"];
        var tried = new List<string>();
        foreach (var path in dirs.SelectMany(d => names.Select(n => Path.Combine(d, n))))
        {
            tried.Add(path);
            if (File.Exists(path) && NativeLibrary.TryLoad(path, out _handle))
            {
                return path;
            }
        }

        throw new DllNotFoundException($"librdkafka could not be loaded for the embedded Kafka cluster; tried: {string.Join(", ", tried)}");
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path) =>
        name == Library ? _handle : IntPtr.Zero;

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_new")]
    internal static partial IntPtr ConfNew();

    [LibraryImport(Library, EntryPoint = "rd_kafka_conf_set", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int ConfSet(IntPtr conf, string name, string value, byte[] errstr, UIntPtr errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_new")]
    internal static partial IntPtr New(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);

    [LibraryImport(Library, EntryPoint = "rd_kafka_destroy")]
    internal static partial void Destroy(IntPtr rk);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_new")]
    internal static partial IntPtr ClusterNew(IntPtr rk, int brokers);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    internal static partial void ClusterDestroy(IntPtr cluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    internal static partial IntPtr ClusterBootstraps(IntPtr cluster);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_topic_create", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int TopicCreate(IntPtr cluster, string topic, int partitions, int replicationFactor);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    internal static partial void GroupInitialRebalanceDelayMs(IntPtr cluster, int delayMs);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_set_group_consumer_session_timeout_ms")]
    internal static partial void SetGroupConsumerSessionTimeoutMs(IntPtr cluster, int ms);

    [LibraryImport(Library, EntryPoint = "rd_kafka_mock_set_group_consumer_heartbeat_interval_ms")]
    internal static partial void SetGroupConsumerHeartbeatIntervalMs(IntPtr cluster, int ms);

    [LibraryImport(Library, EntryPoint = "rd_kafka_err2str")]
    internal static partial IntPtr ErrorToString(int err);
}
