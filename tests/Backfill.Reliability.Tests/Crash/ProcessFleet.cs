using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Server.Jobs;
using Backfill.Simulators;

namespace Backfill.Reliability.Tests.Crash;

/// <summary>
/// The product as separate processes, as deployed (README "Run on several machines"): <c>dev-kafka</c> and
/// <c>platform-sim</c> first, then whatever <c>serve</c>s and <c>worker</c>s a scenario starts, each
/// <c>dotnet backfill.dll VERB</c> in <c>DIR/NAME/</c> with the same appsettings.json, logs in <c>DIR/logs/</c>.
/// Disposing SIGKILLs every process still running (so does the end of the test process), whatever the test did.
/// </summary>
internal sealed class ProcessFleet : IAsyncDisposable
{
    public const string Platform = "crash";
    public const string PartnerKey = "crash-partner-key-for-the-simulator";
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    // Configuration from the test's own environment must not leak into the product's processes.
    private static readonly string[] ProductSections = ["Kafka__", "Backfill__", "Worker__", "Platforms__", "Logging__", "ASPNETCORE_", "DOTNET_ENVIRONMENT"];

    private readonly SortedDictionary<string, string> _settings = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _dll = Path.Combine(AppContext.BaseDirectory, "backfill.dll");

    private ProcessFleet(string directory)
    {
        Directory = directory;
        Children = new ChildProcessSet(Path.Combine(directory, "logs"));
    }

    public string Directory { get; }

    public ChildProcessSet Children { get; }

    public Uri SimulatorUrl { get; private set; } = new("http://127.0.0.1:1/");

    public string BootstrapServers => _settings["Kafka:BootstrapServers"];

    private readonly Dictionary<Uri, HttpClient> _apis = [];

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>The LiteDB file of the <c>serve</c> started as <paramref name="name"/> (its DataDirectory is <c>./data</c>).</summary>
    public string DatabasePath(string name = "serve") => Path.Combine(Directory, name, "data", "backfill.db");

    /// <summary>Every setting the processes share (secrets included), for scenarios that look for them afterwards.</summary>
    public IReadOnlyDictionary<string, string> Settings => _settings;

    /// <summary>Starts platform-sim (limit <paramref name="rate"/> calls per sliding second) and dev-kafka; <paramref name="settings"/> apply to every process.</summary>
    /// <param name="simulatorArgs">More arguments for platform-sim, e.g. <c>--token-ttl 00:00:05</c>.</param>
    public static async Task<ProcessFleet> StartAsync(string label, IReadOnlyList<string> shops, double rate, IReadOnlyDictionary<string, string> settings, params string[] simulatorArgs)
    {
        var fleet = new ProcessFleet(System.IO.Directory.CreateTempSubdirectory($"backfill-{label}-").FullName);
        var s = fleet._settings;
        s[$"Platforms:{Platform}:Kind"] = "shopee";
        s[$"Platforms:{Platform}:BaseUrl"] = "http://127.0.0.1:1/"; // until the simulator has printed its port
        s[$"Platforms:{Platform}:PartnerId"] = "3003001";
        s[$"Platforms:{Platform}:PartnerKey"] = PartnerKey;
        s[$"Platforms:{Platform}:RateLimit:PermitsPerSecond"] = rate.ToString(CultureInfo.InvariantCulture);
        s[$"Platforms:{Platform}:Retry:BaseDelay"] = "00:00:00.050";
        foreach (var shop in shops)
        {
            s[$"Platforms:{Platform}:Shops:{shop}:AccessToken"] = $"crash-token-{shop}";
        }

        s["Backfill:TimeZone"] = "UTC";
        s["Backfill:DataDirectory"] = "./data";

        // KIP-848 hands partitions over in about a second on dev-kafka; an empty fetch there waits fetch.wait.max.ms.
        s["Kafka:GroupProtocol"] = "consumer";
        s["Kafka:FetchWaitMax"] = "00:00:00.010";
        s["Logging:LogLevel:Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            s[key] = value;
        }

        try
        {
            // Port 0: the simulator binds a free port itself and prints it, so nothing can take it in between.
            var simulator = await fleet.StartReadyAsync("platform-sim", "listening: ", ["platform-sim", "--platform", Platform, "--limit", rate.ToString(CultureInfo.InvariantCulture), "--port", "0", .. simulatorArgs]);
            fleet.SimulatorUrl = new Uri(simulator.Lines.Last(l => l.StartsWith("listening: ", StringComparison.Ordinal))["listening: ".Length..].Trim());
            s[$"Platforms:{Platform}:BaseUrl"] = fleet.SimulatorUrl.ToString();
            var kafka = fleet.Start("dev-kafka", "dev-kafka");
            s["Kafka:BootstrapServers"] = await kafka.WaitForLineAsync("bootstrap: ", ReadyTimeout, CancellationToken.None);
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts <c>backfill ARGS</c> in <c>DIR/NAME</c>.</summary>
    public ChildProcess Start(string name, params string[] args) => StartIn(name, name, args);

    /// <summary>Starts <c>backfill ARGS</c>, logged as <paramref name="name"/>, in <c>DIR/<paramref name="folder"/></c> (an existing folder keeps its data).</summary>
    public ChildProcess StartIn(string folder, string name, params string[] args)
    {
        folder = Path.Combine(Directory, folder);
        WriteSettings(folder);
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder };
        info.ArgumentList.Add(_dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var key in info.Environment.Keys.Where(k => ProductSections.Any(p => k.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToList())
        {
            info.Environment.Remove(key);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        return Children.Start(name, info);
    }

    public Task<ChildProcess> StartReadyAsync(string name, string readyPrefix, params string[] args) => StartReadyInAsync(name, name, readyPrefix, args);

    public async Task<ChildProcess> StartReadyInAsync(string folder, string name, string readyPrefix, params string[] args)
    {
        var child = StartIn(folder, name, args);
        await child.WaitForLineAsync(readyPrefix, ReadyTimeout, CancellationToken.None);
        return child;
    }

    /// <summary><c>serve</c> in <c>DIR/<paramref name="folder"/></c> on a free port; its API's address once it listens.</summary>
    public async Task<(ChildProcess Serve, Uri Api)> ServeAsync(string name, string folder)
    {
        var url = $"http://127.0.0.1:{FreePorts.Next()}";
        var serve = await StartReadyInAsync(folder, name, "listening: ", "serve", "--urls", url);
        return (serve, new Uri(url + "/"));
    }

    public Task<ChildProcess> WorkerAsync(string name) => StartReadyAsync(name, "worker: started", "worker");

    /// <summary>POST /api/jobs; the new job's id.</summary>
    public Task<string> CreateJobAsync(Uri api, object body) => Api(api).CreateJobAsync(body);

    public Task<JobStatus> JobAsync(Uri api, string job) => Api(api).JobAsync(job);

    public Task<IReadOnlyList<SliceView>> SlicesAsync(Uri api, string job) => Api(api).SlicesAsync(job);

    /// <summary>A client of the scheduler at <paramref name="api"/>: one per scheduler process the scenario starts.</summary>
    private HttpClient Api(Uri api)
    {
        lock (_apis)
        {
            if (!_apis.TryGetValue(api, out var client))
            {
                _apis[api] = client = new HttpClient { BaseAddress = api, Timeout = Http.Timeout };
            }

            return client;
        }
    }

    public async Task<SimulatorStatsSnapshot> SimulatorStatsAsync() =>
        await Http.GetFromJsonAsync<SimulatorStatsSnapshot>(new Uri(SimulatorUrl, "sim/stats"), new JsonSerializerOptions(JsonSerializerDefaults.Web))
        ?? throw new InvalidOperationException("The simulator answered no stats.");

    /// <summary>Waits until serve's order sink has saved every order on the order topic (a slice succeeds when its orders reach Kafka, not the sink).</summary>
    public async Task DrainSinkAsync(TimeSpan timeout)
    {
        using var lag = new SinkLag(BootstrapServers, "backfill");
        await Eventually(() => Task.FromResult(lag.Behind() == 0), timeout, "serve's order sink to catch up with the order topic");
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; fails naming <paramref name="what"/> and the logs.</summary>
    public Task Eventually(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        Poll.Eventually(condition, timeout, $"{what}; logs in {Children.LogDirectory}");

    public async ValueTask DisposeAsync()
    {
        await Children.DisposeAsync();
        Http.Dispose();
        foreach (var api in _apis.Values)
        {
            api.Dispose();
        }
    }

    /// <summary>Deletes the run's folder; kept when the test failed, for its logs.</summary>
    public void DeleteFolder()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private void WriteSettings(string folder)
    {
        AppSettingsFile.Write(folder, _settings);
    }
}
