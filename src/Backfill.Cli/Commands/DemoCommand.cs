using Backfill.Core.Release;
using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Backfill.Cli.Output;
using Backfill.Core.Data;
using Backfill.Core.Secrets;
using Backfill.Core.Slicing;
using Backfill.Hosting;
using Backfill.Scheduling;
using Microsoft.Extensions.Configuration;

namespace Backfill.Cli.Commands;

/// <summary>
/// <c>backfill demo</c>: the product's main job on embedded defaults — a mock Kafka cluster in process, a fresh
/// LiteDB file, and a built-in simulator per platform (<c>--platforms</c>) enforcing that platform's configured limit;
/// a job per platform runs at the same time, each under its own budget.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var days = CommonOptions.Positive(new Option<int>("--days") { Description = "Whole days before today to backfill.", DefaultValueFactory = _ => 30 });
        var shops = CommonOptions.Positive(new Option<int>("--shops") { Description = "Simulated shops on each platform (Shopee ids 10001, 10002, …; Lazada sellers seller-a, seller-b, …).", DefaultValueFactory = _ => 2 });
        var platforms = new Option<IReadOnlyList<DemoPlatform>>("--platforms")
        {
            Description = $"Platforms to simulate, a comma list: {string.Join(", ", DemoPlatform.Known.Select(p => $"{p.Name} (as Platforms:{p.Configured})"))} (default shopee). A job per platform runs at the same time.",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = false,
            DefaultValueFactory = _ => [DemoPlatform.Shopee],
            CustomParser = r =>
            {
                var chosen = DemoPlatform.Parse(r.Tokens.Select(t => t.Value), out var problem);
                if (chosen is null)
                {
                    r.AddError($"--platforms: {problem}");
                    return [DemoPlatform.Shopee];
                }

                return chosen;
            },
        };
        var workers = CommonOptions.Workers(2);
        var releaseEvery = CommonOptions.ReleaseEvery("Release cadence (default auto: whenever the platform has room).");
        var json = CommonOptions.Json();
        var datasets = CommonOptions.Data();
        var timeField = CommonOptions.TimeField();
        var command = new Command("demo", "Backfill simulated shops end to end on embedded Kafka, LiteDB and the platforms' simulators.\n\nExamples:\n  backfill demo\n  backfill demo --days 7 --shops 3 --json\n  backfill demo --data orders,finance,returns\n  backfill demo --platforms shopee,lazada")
        {
            days, shops, platforms, workers, releaseEvery, json, datasets, timeField,
        };
        command.SetAction(async (parse, ct) =>
        {
            // Lazada's adapter reads orders only: asking it for more would fail every slice after the run had started.
            var chosen = parse.GetValue(platforms)!;
            if (DemoPlatform.DataProblem(chosen, parse.GetValue(datasets)) is { } problem)
            {
                throw new UsageException($"--data: {problem}");
            }

            var baseConfig = CliConfiguration.Build(overrides);
            var dataDirectory = baseConfig["Backfill:DataDirectory"] ?? "./data";
            var data = Path.Combine(dataDirectory, "demo");

            // The demo runs as a fleet with a key does: the scheduler refreshes the shops' tokens and every worker takes them.
            var extra = new Dictionary<string, string?>
            {
                ["Backfill:DataDirectory"] = data,
                ["Worker:Concurrency"] = parse.GetValue(workers).ToString(CultureInfo.InvariantCulture),
                [SecretBox.ConfigurationKey] = string.IsNullOrEmpty(baseConfig[SecretBox.ConfigurationKey]) ? DemoSecretKey.LoadOrCreate(dataDirectory) : baseConfig[SecretBox.ConfigurationKey],
            };
            var shopIds = new Dictionary<DemoPlatform, List<string>>();
            foreach (var platform in chosen)
            {
                var section = baseConfig.GetSection($"Platforms:{platform.Configured}");
                if (!section.Exists())
                {
                    throw new UsageException($"The demo's {platform.Name} simulator takes its limit and credentials from Platforms:{platform.Configured}, which is not configured.");
                }

                shopIds[platform] = [.. Enumerable.Range(0, parse.GetValue(shops)).Select(platform.Shop)];
                foreach (var shop in shopIds[platform])
                {
                    extra[$"Platforms:{platform.Configured}:Shops:{shop}:AccessToken"] = section[$"Shops:{shop}:AccessToken"] ?? platform.AccessToken(shop);
                    extra[$"Platforms:{platform.Configured}:Shops:{shop}:RefreshToken"] = section[$"Shops:{shop}:RefreshToken"] ?? platform.RefreshToken(shop);
                }
            }

            var withTokens = CliConfiguration.Build(overrides, extra);
            var simulators = new List<DemoSimulator>();
            try
            {
                foreach (var platform in chosen)
                {
                    var simulator = await DemoSimulator.StartAsync(platform, withTokens.GetSection($"Platforms:{platform.Configured}"), shopIds[platform], ct);
                    simulators.Add(simulator);
                    extra[$"Platforms:{platform.Configured}:BaseUrl"] = simulator.BaseUrl.ToString();
                }

                if (Directory.Exists(data))
                {
                    Directory.Delete(data, recursive: true);
                }

                var configuration = CliConfiguration.Build(overrides, extra);
                var options = configuration.GetSection("Backfill").Get<BackfillOptions>() ?? new BackfillOptions();
                var (from, to) = Slicer.LastDays(parse.GetValue(days), TimeProvider.System, DayClock.Zone(options.TimeZone));
                var dayCount = Slicer.Slice(from, to, DayClock.Zone(options.TimeZone), options.SliceDays).Count;
                foreach (var simulator in simulators)
                {
                    var name = chosen.Count == 1 ? "platform" : simulator.Platform.Name;
                    Console.Error.WriteLine($"Demo: {name} simulator at {simulator.BaseUrl} (limit {simulator.Limit.ToString(CultureInfo.InvariantCulture)}/s), data in {Path.GetFullPath(data)}");
                }

                Console.Error.WriteLine($"Range [{from:yyyy-MM-dd}, {to:yyyy-MM-dd}) in {options.TimeZone}: {dayCount * parse.GetValue(shops)} slices ({parse.GetValue(shops)} shops × {dayCount} days){(chosen.Count == 1 ? "" : " on each platform")}.");

                var requests = simulators.Select(simulator => new RunRequest(
                    new BackfillRequest(simulator.Platform.Configured, simulator.Shops, from, to, parse.GetValue(releaseEvery) ?? ReleaseCadence.Auto, Source: "demo")
                    {
                        Data = parse.GetValue(datasets),
                        TimeField = parse.GetValue(timeField),
                    },
                    simulator.Expected(parse.GetValue(timeField) ?? configuration[$"Platforms:{simulator.Platform.Configured}:TimeRangeField"] ?? TimeFields.CreateTime))).ToList();
                var summaries = await RunView.RunAllAsync(configuration, requests, parse.GetValue(json), ct);
                foreach (var simulator in simulators)
                {
                    Console.Error.WriteLine(simulator.Describe(chosen.Count == 1));
                }

                return chosen.Count == 1 ? Single(summaries[0], parse.GetValue(json)) : Several(simulators, summaries, parse.GetValue(json));
            }
            finally
            {
                foreach (var simulator in simulators)
                {
                    await simulator.DisposeAsync();
                }
            }
        });
        return command;
    }

    /// <summary>One platform: the run's own summary, as <c>run</c> prints it.</summary>
    private static int Single(RunSummary summary, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(summary.ToJson());
        }

        return summary.Succeeded ? ExitCodes.Success : ExitCodes.Failed;
    }

    /// <summary>Several platforms: each one's run and what its simulator saw; success only when every job saved every record its platform holds.</summary>
    private static int Several(IReadOnlyList<DemoSimulator> simulators, IReadOnlyList<RunSummary> summaries, bool json)
    {
        var runs = simulators.Zip(summaries, (simulator, summary) => (Simulator: simulator, Summary: summary, Complete: summary.Succeeded && summary.AllRecords)).ToList();
        Console.Error.WriteLine();
        foreach (var (simulator, summary, complete) in runs)
        {
            var stats = simulator.Stats;
            Console.Error.WriteLine(
                $"{simulator.Platform.Name}: {(complete ? "complete" : "NOT COMPLETE")}, orders {summary.OrdersUnique} saved of {summary.OrdersExpected?.ToString(CultureInfo.InvariantCulture) ?? "?"} expected; " +
                $"{summary.Calls} calls, {stats.Refused} throttled, {stats.QuotaRefused} quota refusals; peak {stats.PeakCallsPerSecond}/s of its {simulator.Limit.ToString(CultureInfo.InvariantCulture)}/s.");
        }

        var all = runs.TrueForAll(r => r.Complete);
        Console.Error.WriteLine(all ? $"Every platform's job saved every record ({runs.Count} platforms)." : $"NOT DONE: {string.Join(", ", runs.Where(r => !r.Complete).Select(r => r.Simulator.Platform.Name))} did not save every record.");
        if (json)
        {
            var platforms = new JsonArray([.. runs.Select(r => (JsonNode)new JsonObject
            {
                ["platform"] = r.Simulator.Platform.Name,
                ["complete"] = r.Complete,
                ["run"] = JsonNode.Parse(r.Summary.ToJson()),
                ["simulator"] = r.Simulator.ToJson(),
            })]);
            Console.Out.WriteLine(new JsonObject { ["complete"] = all, ["platforms"] = platforms }.ToJsonString());
        }

        return all ? ExitCodes.Success : ExitCodes.Failed;
    }
}
