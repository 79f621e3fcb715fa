using System.CommandLine;
using Backfill.Cli.Output;
using Backfill.Core.Slicing;
using Backfill.Hosting;
using Backfill.Scheduling;
using Microsoft.Extensions.Configuration;

namespace Backfill.Cli.Commands;

/// <summary><c>backfill run</c>: one job against a configured platform, scheduler and workers in this process.</summary>
internal static class RunCommand
{
    public static Command Create(IReadOnlyDictionary<string, string?> overrides)
    {
        var platform = CommonOptions.Platform();
        var shops = CommonOptions.Shops();
        var range = new RangeOptions();
        var workers = CommonOptions.Workers(2);
        var releaseEvery = CommonOptions.ReleaseEvery("Release cadence (default Backfill:ReleaseEvery).");
        var json = CommonOptions.Json();
        var data = CommonOptions.Data();
        var timeField = CommonOptions.TimeField();
        var allowOverlap = new Option<bool>("--allow-overlap") { Description = "Run it even when an unfinished job in Backfill:DataDirectory covers one of its shops on one of its days." };
        var command = new Command("run", "Backfill shops of a configured platform for a date range, in this process.\n\nExamples:\n  backfill run --platform shopee --shop 123 --from 2024-05-01 --to 2024-06-01\n  backfill run --platform shopee --shop 123 --shop 456 --days 7 --release-every 00:01:00 --json\n  backfill run --platform shopee --shop 123 --days 7 --data orders,finance,returns --time-field update_time")
        {
            platform, shops,
        };
        range.AddTo(command);
        command.Options.Add(workers);
        command.Options.Add(releaseEvery);
        command.Options.Add(json);
        command.Options.Add(allowOverlap);
        command.Options.Add(data);
        command.Options.Add(timeField);
        command.SetAction(async (parse, ct) =>
        {
            var asked = parse.GetValue(platform)!;
            var configuration = CliConfiguration.Build(overrides, new Dictionary<string, string?> { ["Worker:Concurrency"] = parse.GetValue(workers).ToString(System.Globalization.CultureInfo.InvariantCulture) });

            // Platform names are case-insensitive in configuration; the job keeps the configured spelling, as the API's
            // jobs do: order ids (platform:shop:order_sn) and the in-flight cap compare it as written.
            var known = configuration.GetSection("Platforms").GetChildren().Select(c => c.Key).ToList();
            var name = known.FirstOrDefault(k => string.Equals(k, asked, StringComparison.OrdinalIgnoreCase))
                ?? throw new UsageException($"Unknown platform '{asked}'. Configured platforms: {string.Join(", ", known)}. Add it under Platforms:{asked} in appsettings.json.");

            var options = configuration.GetSection("Backfill").Get<BackfillOptions>() ?? new BackfillOptions();
            var zone = DayClock.Zone(options.TimeZone);
            var (first, end) = range.Dates(parse) ?? Slicer.LastDays(parse.GetValue(range.Days)!.Value, TimeProvider.System, zone);
            var shopIds = parse.GetValue(shops)!;
            var slices = Slicer.Count(first, end, options.SliceDays) * shopIds.Distinct().Count();
            Console.Error.WriteLine($"Range [{first:yyyy-MM-dd}, {end:yyyy-MM-dd}) in {options.TimeZone}: {slices} slices for {shopIds.Distinct().Count()} shop(s) of {name}.");
            return await RunView.RunAsync(configuration, new RunRequest(new BackfillRequest(name, shopIds, first, end, parse.GetValue(releaseEvery), AllowOverlap: parse.GetValue(allowOverlap)) { Data = parse.GetValue(data), TimeField = parse.GetValue(timeField) }), parse.GetValue(json), ct);
        });
        return command;
    }
}
