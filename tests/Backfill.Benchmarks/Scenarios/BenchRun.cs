using System.Globalization;
using System.Net.Http.Json;
using Backfill.Benchmarks.Product;
using Backfill.Core.Data;
using Backfill.Simulators;
using Backfill.Storage;
using Backfill.Storage.Records;

namespace Backfill.Benchmarks.Scenarios;

/// <summary>
/// The folder and processes of one run: the platform simulator and dev-kafka first, then whatever product processes
/// the scenario starts, each in <c>DIR/NAME/</c> with its appsettings.json, all logs in <c>DIR/logs/</c>.
/// </summary>
internal sealed class BenchRun : IAsyncDisposable
{
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(60);

    private readonly BackfillCli _cli;
    private ChildProcess? _simulator;
    private ChildProcess? _kafka;

    private BenchRun(string directory, BackfillCli cli, BenchSettings settings)
    {
        Directory = directory;
        _cli = cli;
        Settings = settings;
        Children = new ChildProcessSet(Path.Combine(directory, "logs"));
    }

    public string Directory { get; }

    public string LogDirectory => Children.LogDirectory;

    public BenchSettings Settings { get; }

    public ChildProcessSet Children { get; }

    public Uri SimulatorUrl { get; private set; } = new("http://127.0.0.1:1/");

    /// <summary>For the simulator's stats and the scheduler's API.</summary>
    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// Starts the simulator (the options' limit R, per-shop limit and latency, a free port) and dev-kafka, and points the
    /// settings at both; every product process counts calls as the options say, then <paramref name="configure"/> and the
    /// options' settings apply.
    /// </summary>
    public static async Task<BenchRun> StartAsync(
        string label, BackfillCli cli, JobPlan plan, BenchOptions options, Action<BenchSettings> configure, CancellationToken cancellationToken)
    {
        var rate = options.Rate;
        var directory = System.IO.Directory.CreateTempSubdirectory($"backfill-{label}-").FullName;
        var settings = BenchSettings.For(new Uri("http://127.0.0.1:1/"), rate, plan.Shops);
        settings[$"Platforms:{BenchSettings.Platform}:RateLimit:Counting"] = options.Counting.ToString();
        if (options.PerShop is { } shopLimit)
        {
            settings[$"Platforms:{BenchSettings.Platform}:RateLimit:PerShopPermitsPerSecond"] = BackfillCli.Number(shopLimit);
        }

        configure(settings);
        settings.Apply(options.Settings);
        var run = new BenchRun(directory, cli, settings);
        try
        {
            // Port 0: the simulator binds a free port itself and prints it, so no other process can take it in between.
            string[] latency = options.Latency is { } range ? ["--latency", string.Create(CultureInfo.InvariantCulture, $"{range.Min.TotalMilliseconds:0}-{range.Max.TotalMilliseconds:0}")] : [];
            run._simulator = await run.StartReadyAsync(
                "platform-sim", "listening: ", cancellationToken, ["platform-sim", "--platform", BenchSettings.Platform, "--limit", BackfillCli.Number(rate), "--per-shop", BackfillCli.Number(options.PerShop ?? 0), "--port", "0", .. latency]);
            run.SimulatorUrl = new Uri(run._simulator.Lines.Last(l => l.StartsWith("listening: ", StringComparison.Ordinal))["listening: ".Length..].Trim());
            settings[$"Platforms:{BenchSettings.Platform}:BaseUrl"] = run.SimulatorUrl.ToString();

            run._kafka = run.Start("dev-kafka", "dev-kafka");
            settings["Kafka:BootstrapServers"] = await run._kafka.WaitForLineAsync("bootstrap: ", ReadyTimeout, cancellationToken);
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts <c>backfill ARGS</c> in <c>DIR/NAME</c> with the settings as they are now.</summary>
    public ChildProcess Start(string name, params string[] args) =>
        Children.Start(name, _cli.StartInfo(Settings.WriteTo(Path.Combine(Directory, name)), args));

    /// <summary>Starts it and waits for its readiness line on stdout.</summary>
    public async Task<ChildProcess> StartReadyAsync(string name, string readyPrefix, CancellationToken cancellationToken, params string[] args)
    {
        var child = Start(name, args);
        await child.WaitForLineAsync(readyPrefix, ReadyTimeout, cancellationToken);
        return child;
    }

    /// <summary>Runs a short-lived verb to its end in <c>DIR/client</c>; the process and its stdout, or an error naming its log.</summary>
    public async Task<ChildProcess> RunToEndAsync(string name, TimeSpan timeout, CancellationToken cancellationToken, params string[] args)
    {
        var child = Children.Start(name, _cli.StartInfo(Settings.WriteTo(Path.Combine(Directory, "client")), args));
        if (!await child.WaitForExitAsync(timeout, cancellationToken))
        {
            child.Kill();
            throw new ChildProcessException($"'backfill {string.Join(' ', args.Take(2))}' did not end within {timeout.TotalSeconds:0} s. {child.Describe()}");
        }

        return child;
    }

    /// <summary><c>backfill start</c> of <paramref name="plan"/> on the server at <paramref name="serverUrl"/>, with <paramref name="options"/> added; the job's id.</summary>
    public async Task<string> StartJobAsync(string name, JobPlan plan, string serverUrl, CancellationToken cancellationToken, params string[] options)
    {
        var args = new List<string> { "start", "--platform", BenchSettings.Platform, "--from", Day(plan.From), "--to", Day(plan.To) };
        foreach (var shop in plan.Shops)
        {
            args.AddRange(["--shop", shop]);
        }

        args.AddRange([.. options, "--server", serverUrl, "--json"]);
        var start = await RunToEndAsync(name, ClientTimeout, cancellationToken, [.. args]);
        return start.ExitCode == 0 && JobStatus.FromOutput(start.Lines) is { Job.Length: > 0 } created
            ? created.Job
            : throw new ChildProcessException($"'backfill start' did not create the job. {start.Describe()}");
    }

    /// <summary>
    /// The body <c>status --json</c> prints, read straight from the server (a dotnet process per read would take a
    /// noticeable share of a two-core machine from the processes measured); null when it does not answer with one.
    /// </summary>
    public async Task<JobStatus?> ApiStatusAsync(string serverUrl, string job, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(new Uri(new Uri(serverUrl), $"api/jobs/{Uri.EscapeDataString(job)}"), cancellationToken);
        return response.IsSuccessStatusCode && JobStatus.FromOutput([await response.Content.ReadAsStringAsync(cancellationToken)]) is { State.Length: > 0 } status
            ? status
            : null;
    }

    /// <summary>
    /// Under a per-shop limit, the calls the platform's limits allowed from the job's first call while its shops had calls to
    /// make (<see cref="AllowedCalls"/>, from each shop's latest call at the simulator); null without a per-shop limit.
    /// </summary>
    public async Task<double?> AllowedCallsAsync(BenchOptions options, SimulatorStatsSnapshot platform, CancellationToken cancellationToken)
    {
        if (options.PerShop is not { } perShop || platform.FirstAcceptedAt is not { } first)
        {
            return null;
        }

        var shops = await Http.GetFromJsonAsync(new Uri(SimulatorUrl, "sim/stats/shops"), SimulatorJsonContext.Default.SimulatorShopsSnapshot, cancellationToken)
            ?? throw new ChildProcessException($"The simulator answered no shop stats. {_simulator?.Describe()}");
        return AllowedCalls.From(first, shops.Shops.Select(s => s.LastAcceptedAt), options.Rate, perShop);
    }

    /// <summary>
    /// The simulator's admitted calls by second, written beside the logs as <c>seconds.csv</c>, with every call it logged
    /// as <c>calls.csv</c> (milliseconds from the first call's arrival to its arrival and to its answer, shop, path, request, outcome).
    /// </summary>
    public async Task<SimulatorSeconds> SimulatorSecondsAsync(CancellationToken cancellationToken)
    {
        var calls = await Http.GetFromJsonAsync(new Uri(SimulatorUrl, "sim/calls"), SimulatorJsonContext.Default.IReadOnlyListSimulatorCall, cancellationToken) ?? [];
        var first = calls.Count > 0 ? calls.Min(c => c.At) : default;
        await File.WriteAllLinesAsync(
            Path.Combine(Directory, "calls.csv"),
            ["arrivedMs,answeredMs,shop,path,request,outcome", .. calls.OrderBy(c => c.At).Select(c => FormattableString.Invariant($"{(c.At - first).TotalMilliseconds:0},{(c.AnsweredAt - first).TotalMilliseconds:0},{c.Shop},{c.Path},\"{c.Request}\",{c.Outcome}"))],
            cancellationToken);
        var seconds = SimulatorSeconds.Of(calls);
        await File.WriteAllLinesAsync(
            Path.Combine(Directory, "seconds.csv"),
            ["second,accepted,refused", .. seconds.Accepted.Select((a, i) => $"{i},{a},{seconds.Refused[i]}")],
            cancellationToken);
        return seconds;
    }

    public async Task<SimulatorStatsSnapshot> SimulatorStatsAsync(CancellationToken cancellationToken) =>
        await Http.GetFromJsonAsync(new Uri(SimulatorUrl, "sim/stats"), SimulatorJsonContext.Default.SimulatorStatsSnapshot, cancellationToken)
        ?? throw new ChildProcessException($"The simulator answered no stats. {_simulator?.Describe()}");

    /// <summary>Stops the simulator and dev-kafka with SIGTERM (after the product processes have stopped).</summary>
    public async Task StopInfrastructureAsync()
    {
        foreach (var child in new[] { _simulator, _kafka }.OfType<ChildProcess>())
        {
            await child.StopAsync(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>
    /// Orders in the LiteDB file of the process that ran the scheduler, for the job's shops and range, and its sink's
    /// repeats; when they are not the expected orders, the day slices that differ (at most <paramref name="gapsShown"/>).
    /// </summary>
    public static OrderCount CountOrders(string databasePath, JobPlan plan, int gapsShown = 8)
    {
        if (!File.Exists(databasePath))
        {
            throw new ChildProcessException($"No LiteDB file at {databasePath}.");
        }

        using var db = new BackfillDatabase(databasePath);
        var store = new RecordStore(db);
        var unique = store.Count(Datasets.Orders, BenchSettings.Platform, plan.Shops, plan.FromUtc, plan.ToUtc, plan.TimeRangeField);
        var gaps = new List<string>();
        if (unique != plan.ExpectedOrders)
        {
            for (var day = plan.From; day < plan.To && gaps.Count < gapsShown; day = day.AddDays(1))
            {
                foreach (var shop in plan.Shops.TakeWhile(_ => gaps.Count < gapsShown))
                {
                    var saved = store.Count(Datasets.Orders, BenchSettings.Platform, [shop], JobPlan.Utc(day), JobPlan.Utc(day.AddDays(1)), plan.TimeRangeField);
                    var expected = plan.ExpectedOn(shop, day);
                    if (saved != expected)
                    {
                        var missing = plan.OrdersOn(shop, day)
                            .Where(o => store.Find(Datasets.Orders, RecordDocument.MakeId(BenchSettings.Platform, shop, o.OrderSn)) is null)
                            .Take(3)
                            .Select(o => $"{o.OrderSn} at {DateTimeOffset.FromUnixTimeSeconds(o.Time):HH:mm:ss}");
                        gaps.Add($"shop {shop} {Day(day)}: {saved} of {expected} (missing {string.Join(", ", missing)})");
                    }
                }
            }
        }

        long? finance = plan.Data.HasFlag(Datasets.Finance)
            ? store.Count(Datasets.Finance, BenchSettings.Platform, plan.Shops, plan.FromUtc, plan.ToUtc, plan.TimeRangeField)
            : null;
        return new OrderCount(unique, store.Totals(Datasets.Orders).DuplicatesAbsorbed, gaps) { Finance = finance };
    }

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await Children.DisposeAsync();
        Http.Dispose();
    }
}

/// <summary>The sink's orders for a job: unique, repeats absorbed, and the day slices that differ from the catalog.</summary>
internal sealed record OrderCount(long Unique, long Duplicates, IReadOnlyList<string> Gaps)
{
    /// <summary>The finance records saved for the job's orders, when it pulls finance.</summary>
    public long? Finance { get; init; }
}
