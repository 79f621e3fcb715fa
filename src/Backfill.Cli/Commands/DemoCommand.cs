using System.CommandLine;
using System.Globalization;
using Backfill.Cli.Output;
using Backfill.Core.Data;
using Backfill.Core.Secrets;
using Backfill.Core.Slicing;
using Backfill.Hosting;
using Backfill.Simulators;
using Backfill.Scheduling;
using Microsoft.Extensions.Configuration;

namespace Backfill.Cli.Commands;

/// <summary>
/// <c>backfill demo</c>: the product's main job on embedded defaults — a mock Kafka cluster in process, a fresh
/// LiteDB file, and the built-in platform simulator enforcing the configured limit of platform <c>demo</c>.
/// </summary>
internal static class DemoCommand
{
    private const string Platform = "demo";

    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var days = CommonOptions.Positive(new Option<int>("--days") { Description = "Whole days before today to backfill.", DefaultValueFactory = _ => 30 });
        var shops = CommonOptions.Positive(new Option<int>("--shops") { Description = "Simulated shops (ids 10001, 10002, …).", DefaultValueFactory = _ => 2 });
        var workers = CommonOptions.Workers(2);
        var releaseEvery = CommonOptions.ReleaseEvery("Release cadence (default 00:00:01 for the demo).");
        var json = CommonOptions.Json();
        var datasets = CommonOptions.Data();
        var timeField = CommonOptions.TimeField();
        var command = new Command("demo", "Backfill simulated shops end to end on embedded Kafka, LiteDB and the platform simulator.\n\nExamples:\n  backfill demo\n  backfill demo --days 7 --shops 3 --json\n  backfill demo --data orders,finance,returns")
        {
            days, shops, workers, releaseEvery, json, datasets, timeField,
        };
        command.SetAction(async (parse, ct) =>
        {
            var baseConfig = CliConfiguration.Build(overrides);
            var platform = baseConfig.GetSection($"Platforms:{Platform}");
            var shopIds = Enumerable.Range(1, parse.GetValue(shops)).Select(i => (10000 + i).ToString(CultureInfo.InvariantCulture)).ToList();
            var tokens = shopIds.ToDictionary(s => s, s => platform[$"Shops:{s}:AccessToken"] ?? $"demo-token-{s}");
            var refreshTokens = shopIds.ToDictionary(s => s, s => platform[$"Shops:{s}:RefreshToken"] ?? $"demo-refresh-{s}");
            await using var simulator = await PlatformSimulator.StartAsync(new SimulatorOptions
            {
                PermitsPerSecond = platform.GetValue<double>("RateLimit:PermitsPerSecond"),
                PartnerId = platform.GetValue<long>("PartnerId"),
                PartnerKey = platform["PartnerKey"] ?? "",
                AccessTokens = tokens,
                RefreshTokens = refreshTokens,
            }, cancellationToken: ct);

            var dataDirectory = baseConfig["Backfill:DataDirectory"] ?? "./data";
            var data = Path.Combine(dataDirectory, "demo");
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }

            // The demo runs as a fleet with a key does: the scheduler refreshes the shops' tokens and every worker takes them.
            var extra = new Dictionary<string, string?>
            {
                [$"Platforms:{Platform}:BaseUrl"] = simulator.BaseUrl.ToString(),
                ["Backfill:DataDirectory"] = data,
                ["Worker:Concurrency"] = parse.GetValue(workers).ToString(CultureInfo.InvariantCulture),
                [SecretBox.ConfigurationKey] = string.IsNullOrEmpty(baseConfig[SecretBox.ConfigurationKey]) ? DemoSecretKey.LoadOrCreate(dataDirectory) : baseConfig[SecretBox.ConfigurationKey],
            };
            foreach (var (shop, token) in tokens)
            {
                extra[$"Platforms:{Platform}:Shops:{shop}:AccessToken"] = token;
                extra[$"Platforms:{Platform}:Shops:{shop}:RefreshToken"] = refreshTokens[shop];
            }

            var configuration = CliConfiguration.Build(overrides, extra);
            var options = configuration.GetSection("Backfill").Get<BackfillOptions>() ?? new BackfillOptions();
            var (from, to) = Slicer.LastDays(parse.GetValue(days), TimeProvider.System, DayClock.Zone(options.TimeZone));
            var sliceCount = Slicer.Slice(from, to, DayClock.Zone(options.TimeZone), options.SliceDays).Count * shopIds.Count;
            Console.Error.WriteLine($"Demo: platform simulator at {simulator.BaseUrl} (limit {platform["RateLimit:PermitsPerSecond"]}/s), data in {Path.GetFullPath(data)}");
            Console.Error.WriteLine($"Range [{from:yyyy-MM-dd}, {to:yyyy-MM-dd}) in {options.TimeZone}: {sliceCount} slices ({shopIds.Count} shops × {sliceCount / shopIds.Count} days).");

            var request = new RunRequest(
                new BackfillRequest(Platform, shopIds, from, to, parse.GetValue(releaseEvery) ?? TimeSpan.FromSeconds(1), SlicesPerRelease: shopIds.Count, Source: "demo")
                {
                    Data = parse.GetValue(datasets),
                    TimeField = parse.GetValue(timeField),
                },
                (shop, f, t, dataset) => simulator.Expected(shop, f, t, dataset, parse.GetValue(timeField) ?? platform["TimeRangeField"] ?? TimeFields.CreateTime).Count);
            var code = await RunView.RunAsync(configuration, request, parse.GetValue(json), ct);
            var stats = simulator.Stats;
            Console.Error.WriteLine($"Simulator: {stats.Accepted} calls accepted, {stats.Refused} refused over its strict sliding one-second limit; {stats.Refreshes} token refreshes, {stats.ExpiredAnswers} calls answered expired.");
            return code;
        });
        return command;
    }
}
