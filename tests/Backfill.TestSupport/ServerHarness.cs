using System.Globalization;
using Backfill.Hosting;
using Backfill.Server;
using Backfill.Messaging.Clients;
using Backfill.Simulators;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Backfill.Testing;

/// <summary>
/// Real parts: the server on Kestrel at 127.0.0.1 on a free port, its embedded mock Kafka cluster, a LiteDB file
/// in a temp folder, and the platform simulator for workers that join the server's cluster.
/// </summary>
internal sealed class ServerHarness : IAsyncDisposable
{
    public const string Platform = "demo";
    public const string PartnerKey = "server-tests-partner-key-0123";
    public static readonly string[] Shops = ["30001", "30002"];

    /// <summary>Shops configured for the platform that no worker runs here: estimates, and jobs nobody works on.</summary>
    public static readonly string[] IdleShops = ["40001", "40002", "40003", "50001", "50002", "50003"];

    private readonly string _dir;

    private ServerHarness(string dir, PlatformSimulator simulator, WebApplication app, IConfiguration configuration)
    {
        _dir = dir;
        Simulator = simulator;
        App = app;
        Configuration = configuration;
        // The IPv4 address it listens on; a wildcard one is reached through loopback.
        var url = new UriBuilder(app.Urls.FirstOrDefault(u => !u.Contains('[', StringComparison.Ordinal)) ?? app.Urls.First());
        url.Host = url.Host == "0.0.0.0" ? "127.0.0.1" : url.Host;
        BaseUrl = url.Uri;
        Http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
    }

    public PlatformSimulator Simulator { get; }

    public WebApplication App { get; }

    public IConfiguration Configuration { get; }

    public Uri BaseUrl { get; }

    public HttpClient Http { get; }

    /// <summary>Where workers connect: the cluster the server started in process.</summary>
    public string Bootstrap => App.Services.GetRequiredService<KafkaConnection>().BootstrapServers;

    /// <param name="map">Extra endpoints, mapped before the server starts.</param>
    /// <param name="settings">Configuration over the harness's own (e.g. <c>Backfill:ApiToken</c>).</param>
    /// <param name="urls">Where the server listens; a wildcard address is reached through 127.0.0.1.</param>
    /// <param name="services">Replacement services (a <see cref="TimeProvider"/>).</param>
    /// <param name="logs">Receives every log line of every level, besides the console.</param>
    /// <param name="simulator">Changes to the simulator's options (more shops, a hot shop, another limit).</param>
    public static async Task<ServerHarness> StartAsync(
        Action<WebApplication>? map = null,
        IReadOnlyDictionary<string, string?>? settings = null,
        string urls = "http://127.0.0.1:0",
        Action<IServiceCollection>? services = null,
        ILoggerProvider? logs = null,
        Action<SimulatorOptions>? simulator = null)
    {
        var dir = Directory.CreateTempSubdirectory("backfill-server-").FullName;
        var options = new SimulatorOptions
        {
            PermitsPerSecond = 40,
            PartnerId = 3003,
            PartnerKey = PartnerKey,
            AccessTokens = Shops.ToDictionary(s => s, Token),
        };
        simulator?.Invoke(options);
        var sim = await PlatformSimulator.StartAsync(options);
        var configuration = Configure(dir, sim.BaseUrl, settings);
        var app = ServerApp.Build(configuration, urls, logging => Capture(logging, logs), services);
        map?.Invoke(app);
        await app.StartAsync();
        return new ServerHarness(dir, sim, app, configuration);
    }

    public static string Token(string shop) => $"server-tests-token-{shop}";

    /// <summary>A worker process's host, on the server's Kafka.</summary>
    /// <param name="logs">Receives every log line of every level, besides the console.</param>
    public IHost WorkerHost(ILoggerProvider? logs = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(Configuration);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Kafka:BootstrapServers"] = Bootstrap });
        builder.Services.AddBackfill(builder.Configuration, BackfillRoles.Worker);
        Capture(builder.Logging, logs);
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
        await Simulator.DisposeAsync();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Console logs (shown by <c>dotnet test --logger "console;verbosity=detailed"</c>) to diagnose a failing run.</summary>
    private static void Logging(ILoggingBuilder logging) => logging.AddSimpleConsole(o => o.SingleLine = true)
        .AddFilter("Backfill", LogLevel.Information).AddFilter("Backfill.Kafka", LogLevel.Warning).AddFilter("Microsoft", LogLevel.Warning).AddFilter("Quartz", LogLevel.Warning);

    private static void Capture(ILoggingBuilder logging, ILoggerProvider? logs)
    {
        Logging(logging);
        if (logs is not null)
        {
            // A rule for this provider alone: the console keeps its own filters.
            logging.AddProvider(logs);
            logging.Services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(logs.GetType().FullName, null, LogLevel.Trace, null)));
        }
    }

    private static IConfiguration Configure(string dir, Uri simulator, IReadOnlyDictionary<string, string?>? settings)
    {
        var s = new Dictionary<string, string?>
        {
            ["Kafka:Namespace"] = "srv",
            ["Kafka:Partitions:Actions"] = "4",
            ["Kafka:Partitions:Orders"] = "4",
            ["Kafka:Partitions:Progress"] = "2",
            ["Backfill:DataDirectory"] = dir,
            ["Backfill:ReleaseEvery"] = "00:00:00.200",
            ["Backfill:SlicesPerRelease"] = "4",
            ["Worker:Concurrency"] = "2",
            [$"Platforms:{Platform}:Kind"] = "shopee",
            [$"Platforms:{Platform}:BaseUrl"] = simulator.ToString(),
            [$"Platforms:{Platform}:PartnerId"] = "3003",
            [$"Platforms:{Platform}:PartnerKey"] = PartnerKey,
            [$"Platforms:{Platform}:RateLimit:PermitsPerSecond"] = 40.ToString(CultureInfo.InvariantCulture),
            [$"Platforms:{Platform}:Retry:BaseDelay"] = "00:00:00.050",
        };
        foreach (var shop in Shops.Concat(IdleShops))
        {
            s[$"Platforms:{Platform}:Shops:{shop}:AccessToken"] = Token(shop);
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            s[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(s).Build();
        var errors = ConfigurationCheck.Validate(configuration);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        return configuration;
    }
}
