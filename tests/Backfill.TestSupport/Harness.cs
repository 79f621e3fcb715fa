using System.Globalization;
using Backfill.Core.Data;
using Backfill.Hosting;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;
using Backfill.Simulators;
using Backfill.Scheduling;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Testing;

/// <summary>
/// Real parts for one test: the platform simulator on 127.0.0.1, a LiteDB file in a temp folder, and (through
/// the hosts it builds) librdkafka's mock cluster. Nothing is faked.
/// </summary>
internal sealed class Harness : IAsyncDisposable
{
    public const string Platform = "sim";
    public const string PartnerKey = "e2e-partner-key-0123456789";
    public static readonly string[] Shops = ["20001", "20002"];

    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-e2e-").FullName;

    private Harness(PlatformSimulator simulator) => Simulator = simulator;

    public PlatformSimulator Simulator { get; }

    public Dictionary<string, string?> Settings { get; } = [];

    /// <param name="simulator">Changes to the simulator's options (token life, refresh tokens) before it starts.</param>
    public static async Task<Harness> StartAsync(double limit = 40, Action<SimulatorOptions>? simulator = null)
    {
        var options = new SimulatorOptions
        {
            PermitsPerSecond = limit,
            PartnerId = 2002,
            PartnerKey = PartnerKey,
            AccessTokens = Shops.ToDictionary(s => s, Token),
        };
        simulator?.Invoke(options);
        var simulatorStarted = await PlatformSimulator.StartAsync(options);
        var harness = new Harness(simulatorStarted);
        var s = harness.Settings;
        s["Kafka:Namespace"] = "e2e";
        s["Kafka:Partitions:Actions"] = "4";
        s["Kafka:Partitions:Orders"] = "4";
        s["Kafka:Partitions:Progress"] = "2";
        s["Backfill:DataDirectory"] = harness._dir;
        s["Backfill:ReleaseEvery"] = "00:00:00.200";
        s["Backfill:SlicesPerRelease"] = "4";
        s["Worker:Concurrency"] = "2";
        s[$"Platforms:{Platform}:Kind"] = "shopee";
        s[$"Platforms:{Platform}:BaseUrl"] = simulatorStarted.BaseUrl.ToString();
        s[$"Platforms:{Platform}:PartnerId"] = "2002";
        s[$"Platforms:{Platform}:PartnerKey"] = PartnerKey;
        s[$"Platforms:{Platform}:RateLimit:PermitsPerSecond"] = limit.ToString(CultureInfo.InvariantCulture);
        s[$"Platforms:{Platform}:Retry:BaseDelay"] = "00:00:00.050";
        foreach (var shop in Shops)
        {
            s[$"Platforms:{Platform}:Shops:{shop}:AccessToken"] = Token(shop);
        }

        return harness;
    }

    /// <summary>Console logs (shown by <c>dotnet test --logger "console;verbosity=detailed"</c>) to diagnose a failing run.</summary>
    public static void Logging(ILoggingBuilder logging) => logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; })
        .AddFilter("Backfill", LogLevel.Information).AddFilter("Backfill.Kafka", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning).AddFilter("Quartz", LogLevel.Warning);

    public static string Token(string shop) => $"e2e-secret-token-{shop}";

    public static string RefreshToken(string shop) => $"e2e-secret-refresh-{shop}";

    /// <summary>
    /// The fleet refreshes tokens: a key for every process, each shop's refresh token in configuration and at the
    /// simulator, and a short wait for a newer token.
    /// </summary>
    public void RefreshTokens(string tokenWait = "00:00:30")
    {
        Settings["Backfill:SecretKey"] = SecretKey;
        Settings["Worker:TokenWait"] = tokenWait;
        foreach (var shop in Shops)
        {
            Settings[$"Platforms:{Platform}:Shops:{shop}:RefreshToken"] = RefreshToken(shop);
        }
    }

    /// <summary>The fleet's key of every test (a secret: the scans look for it too).</summary>
    public static readonly string SecretKey = Core.Secrets.SecretBox.NewKey();

    /// <summary>
    /// A mock cluster for several hosts of one test (a host with no bootstrap servers starts a cluster of its own).
    /// KIP-848 groups by default: on the mock cluster a classic rebalance lasts a whole session timeout.
    /// </summary>
    public MockCluster ShareCluster(string groupProtocol = "consumer")
    {
        var cluster = MockCluster.Start();
        cluster.CreateTopics(new TopicNames("e2e").Specs(new Messaging.TopicPartitionOptions { Actions = 4, Orders = 4, Progress = 2 }));
        Settings["Kafka:BootstrapServers"] = cluster.BootstrapServers;
        Settings["Kafka:GroupProtocol"] = groupProtocol;
        return cluster;
    }

    public IConfiguration Configuration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        var errors = ConfigurationCheck.Validate(configuration);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return configuration;
    }

    /// <param name="logs">Also gets the host's log lines, for a test that waits on what the host said.</param>
    public IHost Host(BackfillRoles roles, ILoggerProvider? logs = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(Configuration());
        builder.Services.AddBackfill(builder.Configuration, roles);
        Logging(builder.Logging);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        return builder.Build();
    }

    /// <summary>Days with plenty of orders: 2024-01-01 … in the simulator's catalogue.</summary>
    public RunRequest Request(DateOnly from, int days, params string[] shops) =>
        new(new BackfillRequest(Platform, shops.Length == 0 ? Shops : shops, from, from.AddDays(days)), (shop, f, t, dataset) => Simulator.Expected(shop, f, t, dataset, TimeFields.CreateTime).Count);

    public async ValueTask DisposeAsync()
    {
        await Simulator.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
