using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Runtime.InteropServices;
using Backfill.Benchmarks.Output;
using Backfill.Benchmarks.Perf;
using Backfill.Benchmarks.Product;
using Backfill.Benchmarks.Scenarios;
using Backfill.Platforms.Configuration;
using Backfill.Simulators;
using Spectre.Console;

namespace Backfill.Benchmarks;

/// <summary>
/// The scenarios. Exit codes: 0 every run finished and the targets are met, 1 a run failed or a target was missed,
/// 2 bad usage. Ctrl-C stops the current run and kills every product process; a second Ctrl-C kills at once.
/// </summary>
internal static class BenchmarkCommandLine
{
    public static async Task<int> InvokeAsync(string[] args)
    {
        var rate = new Option<double>("--rate") { Description = "The platform's limit R: calls per sliding second (simulator and product).", DefaultValueFactory = _ => 20 };
        var workers = new Option<int[]>("--workers") { Description = "Worker process counts, comma-separated.", DefaultValueFactory = _ => [1, 2, 4], CustomParser = ParseCounts };
        var callsSeconds = new Option<int>("--calls-seconds") { Description = "Size the job so the platform sees at least this many seconds of calls at R (long enough that the kill and the last slices are a small part of the run).", DefaultValueFactory = _ => 180 };
        var perShop = new Option<double?>("--per-shop") { Description = "The platform's per-shop limit S (simulator and product); utilisation is then measured against min(R, S × the shops that still have calls to make), target 0.9." };
        var shops = new Option<int>("--shops") { Description = "Shops in the job.", DefaultValueFactory = _ => 24 };
        var concurrency = new Option<int?>("--concurrency") { Description = "Worker consumers per worker process (default: the product's)." };
        var lanes = new Option<int?>("--lanes") { Description = "Platforms:bench:RateLimit:Lanes (default: the product's)." };
        var maxInFlight = new Option<int>("--max-in-flight") { Description = "Backfill:MaxInFlightPerPlatform.", DefaultValueFactory = _ => 32 };
        var releaseEvery = new Option<string>("--release-every") { Description = "Backfill:ReleaseEvery of the scheduler, HH:MM:SS or auto; the job is started with no cadence option.", DefaultValueFactory = _ => "auto" };
        var timeout = new Option<int?>("--timeout-seconds") { Description = "Give up on a run after this long (default: 3 × calls-seconds, at least 300)." };
        var modes = new Option<BudgetMode[]>("--modes") { Description = "Budget modes, comma-separated: fleet (Scope=Fleet), naive (Scope=Process).", DefaultValueFactory = _ => [BudgetMode.Fleet, BudgetMode.Naive], CustomParser = ParseModes };
        var settle = new Option<int>("--settle-seconds") { Description = "Seconds between the last worker's start and the job's, for the consumer group to form.", DefaultValueFactory = _ => 20 };
        var noKill = new Option<bool>("--no-kill") { Description = "Do not SIGKILL and replace a worker halfway." };
        var set = new Option<string[]>("--set") { Description = "Section:Key=value for every product process; repeatable.", AllowMultipleArgumentsPerToken = false };
        var keep = new Option<bool>("--keep") { Description = "Keep run folders (logs, LiteDB files) also after runs that met their targets." };
        var noBuild = new Option<bool>("--no-build") { Description = "Use the Release build of src/Backfill.Cli as it is." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object as the last line of stdout." };
        var latency = LatencyOption();
        var counting = CountingOption();
        Option[] common = [rate, perShop, callsSeconds, shops, concurrency, lanes, maxInFlight, releaseEvery, timeout, set, keep, noBuild, json, latency, counting];

        var fleet = new Command("fleet", "W worker processes and serve against a strict sliding-window simulator, fleet budget vs. per-process (naive), a worker SIGKILLed halfway.");
        fleet.Options.Add(workers);
        fleet.Options.Add(noKill);
        fleet.Options.Add(settle);
        fleet.Options.Add(modes);
        var single = new Command("single", "The same job through one 'backfill run' process against the standalone simulator and dev-kafka.");
        foreach (var option in common)
        {
            fleet.Options.Add(option);
            single.Options.Add(option);
        }

        var root = new RootCommand("Backfill benchmarks: the product as separate OS processes, measured at the platform simulator.") { fleet, single, PerfCommand.Create(), MockClusterCommand.Create(), Micro.MicroCommand.Create() };
        root.Validators.Add(r =>
        {
            foreach (var (option, minimum) in new (Option<int>, int)[] { (callsSeconds, 1), (shops, 1), (settle, 0), (maxInFlight, 1) })
            {
                if (r.GetResult(option) is { } result && result.GetValueOrDefault<int>() < minimum)
                {
                    r.AddError($"{option.Name} must be at least {minimum}.");
                }
            }

            if (r.GetResult(perShop) is { } shopLimit && shopLimit.GetValueOrDefault<double?>() is not > 0)
            {
                r.AddError($"{perShop.Name} must be greater than 0.");
            }
        });

        var share = new Command("share", "A small job (3 shops × 7 days) started 30 s behind a large one (200 shops × 90 days) on one platform, against its time alone; target: at most 1.5 × its time alone at its priority's share.");
        var shareWorkers = new Option<int>("--workers") { Description = "Worker processes.", DefaultValueFactory = _ => 2 };
        var smallPriority = new Option<string>("--small-priority") { Description = "high, normal or low.", DefaultValueFactory = _ => "normal" };
        var largePriority = new Option<string>("--large-priority") { Description = "high, normal or low.", DefaultValueFactory = _ => "normal" };
        var shareDelay = new Option<int>("--delay-seconds") { Description = "Seconds between the large job's start and the small one's.", DefaultValueFactory = _ => 30 };
        share.Options.Add(rate);
        share.Options.Add(shareWorkers);
        share.Options.Add(smallPriority);
        share.Options.Add(largePriority);
        share.Options.Add(shareDelay);
        share.Options.Add(set);
        share.Options.Add(noBuild);
        share.Options.Add(json);
        root.Subcommands.Add(share);
        share.SetAction(async (parse, ct) =>
        {
            var cli = await BackfillCli.BuildAsync(BackfillCli.RepositoryRoot(), parse.GetValue(noBuild), Directory.CreateTempSubdirectory("backfill-bench-build-").FullName, ct);
            var result = await new ShareScenario(cli, new ShareOptions
            {
                Rate = parse.GetValue(rate),
                Workers = parse.GetValue(shareWorkers),
                SmallPriority = parse.GetValue(smallPriority)!,
                LargePriority = parse.GetValue(largePriority)!,
                Delay = TimeSpan.FromSeconds(parse.GetValue(shareDelay)),
                Settings = [.. (parse.GetValue(set) ?? []).Select(ParseSetting)],
            }).RunAsync(ct);
            Console.Out.WriteLine(result.Line());
            if (parse.GetValue(json))
            {
                Console.Out.WriteLine(result.Json());
            }

            return result.Met ? 0 : 1;
        });

        fleet.SetAction((parse, ct) => RunAsync("fleet", Options(parse) with { Workers = parse.GetValue(workers)!, Modes = parse.GetValue(modes)!, KillAt = parse.GetValue(noKill) ? null : 0.5, Settle = TimeSpan.FromSeconds(parse.GetValue(settle)) }, ct));
        single.SetAction((parse, ct) => RunAsync("single", Options(parse) with { Workers = [1], KillAt = null }, ct));

        BenchOptions Options(ParseResult parse) => new()
        {
            Rate = parse.GetValue(rate),
            CallsDuration = TimeSpan.FromSeconds(parse.GetValue(callsSeconds)),
            Shops = parse.GetValue(shops),
            PerShop = parse.GetValue(perShop),
            Concurrency = parse.GetValue(concurrency),
            Lanes = parse.GetValue(lanes),
            MaxInFlight = parse.GetValue(maxInFlight),
            ReleaseEvery = parse.GetValue(releaseEvery)!,
            Timeout = parse.GetValue(timeout) is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            Settings = [.. (parse.GetValue(set) ?? []).Select(ParseSetting)],
            Keep = parse.GetValue(keep),
            SkipBuild = parse.GetValue(noBuild),
            Json = parse.GetValue(json),
            Latency = parse.GetValue(latency),
            Counting = parse.GetValue(counting),
        };

        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            foreach (var error in parsed.Errors)
            {
                Console.Error.WriteLine($"error: {error.Message}");
            }

            return 2;
        }

        using var stop = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        void Stop(PosixSignalContext context)
        {
            if (stop.IsCancellationRequested)
            {
                ChildProcessSet.KillAll();
                return;
            }

            context.Cancel = true;
            Console.Error.WriteLine("Stopping: killing the product processes (again to exit at once)…");
            stop.Cancel();
        }

        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, stop.Token);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled.");
            return 1;
        }
        catch (Exception e) when (e is ChildProcessException or ArgumentException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e is ArgumentException ? 2 : 1;
        }
        finally
        {
            ChildProcessSet.KillAll();
        }
    }

    private static async Task<int> RunAsync(string scenario, BenchOptions options, CancellationToken cancellationToken)
    {
        var root = BackfillCli.RepositoryRoot();
        var logs = Directory.CreateTempSubdirectory("backfill-bench-build-").FullName;
        var cli = await BackfillCli.BuildAsync(root, options.SkipBuild, logs, cancellationToken);
        IReadOnlyList<RunResult> results = scenario == "fleet"
            ? await new FleetScenario(cli, options).RunAllAsync(cancellationToken)
            : await new SingleScenario(cli, options).RunAllAsync(cancellationToken);
        Directory.Delete(logs, recursive: true);

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Out) });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = 200;
        }

        var plan = FleetScenario.Plan(options);
        var perShopText = options.PerShop is { } each ? $", S = {each.ToString(CultureInfo.InvariantCulture)}/s per shop (allowed {options.AllowedRate.ToString(CultureInfo.InvariantCulture)}/s)" : "";
        var latency = options.Latency is { } range ? $", latency {range}" : "";
        ResultTable.Write(console, $"{scenario}: R = {options.Rate.ToString(CultureInfo.InvariantCulture)}/s{perShopText}{latency}, counting {options.Counting}, {plan.Shops.Count} shops × {plan.Days} days, {plan.ExpectedCalls} calls", results);
        if (options.Json)
        {
            Console.Out.WriteLine(ResultJson.Write(scenario, options, plan, results));
        }

        return results.All(r => r.TargetsMet) ? 0 : 1;
    }

    /// <summary><c>--latency 150-350</c>: the simulator's latency in milliseconds, one value or a range; shared with <c>perf</c>.</summary>
    public static Option<LatencyRange?> LatencyOption() => new("--latency")
    {
        Description = "The simulator's latency in milliseconds, after a call is counted: 300, or a uniform draw in 150-350. Default none.",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (LatencyRange.TryParse(text, out var range, out var problem))
            {
                return range;
            }

            r.AddError($"--latency {problem}.");
            return null;
        },
    };

    /// <summary><c>--counting arrival</c>: <c>Platforms:bench:RateLimit:Counting</c> of every product process; shared with <c>perf</c>.</summary>
    public static Option<RateLimitCounting> CountingOption() => new("--counting")
    {
        Description = "Platforms:bench:RateLimit:Counting: strict (a call counts until one window after its answer) or arrival (one window + jitter from its start).",
        DefaultValueFactory = _ => RateLimitCounting.Strict,
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
            if (Enum.TryParse<RateLimitCounting>(text, ignoreCase: true, out var counting) && Enum.IsDefined(counting) && !int.TryParse(text, CultureInfo.InvariantCulture, out _))
            {
                return counting;
            }

            r.AddError($"--counting '{text}' is not strict or arrival.");
            return RateLimitCounting.Strict;
        },
    };

    private static int[] ParseCounts(ArgumentResult result)
    {
        var counts = new List<int>();
        foreach (var part in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
            {
                result.AddError($"--workers '{part}' is not a positive whole number; use e.g. 1,2,4.");
                return [];
            }

            counts.Add(count);
        }

        return [.. counts];
    }

    private static BudgetMode[] ParseModes(ArgumentResult result)
    {
        var modes = new List<BudgetMode>();
        foreach (var part in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var mode = new[] { BudgetMode.Fleet, BudgetMode.Naive }.FirstOrDefault(m => string.Equals(m.Name, part, StringComparison.OrdinalIgnoreCase));
            if (mode is null)
            {
                result.AddError($"--modes '{part}' is not fleet or naive.");
                return [];
            }

            modes.Add(mode);
        }

        return [.. modes];
    }

    private static KeyValuePair<string, string> ParseSetting(string text)
    {
        var eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq > 0
            ? new(text[..eq], text[(eq + 1)..])
            : throw new ArgumentException($"--set '{text}' is not Section:Key=value.");
    }
}
