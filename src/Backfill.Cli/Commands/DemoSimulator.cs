using System.Net;
using System.Text.Json.Nodes;
using Backfill.Core.Data;
using Backfill.Simulators;
using Microsoft.Extensions.Configuration;

namespace Backfill.Cli.Commands;

/// <summary>One platform's simulator in the demo, whichever kind: where it listens, its limit, its counters, and what it holds.</summary>
internal sealed class DemoSimulator : IAsyncDisposable
{
    private readonly IAsyncDisposable _server;
    private readonly Func<string, Func<string, DateTimeOffset, DateTimeOffset, Datasets, long>?> _holds;

    private DemoSimulator(DemoPlatform platform, IReadOnlyList<string> shops, double limit, IAsyncDisposable server, Uri baseUrl, SimulatorStats stats, Func<string, Func<string, DateTimeOffset, DateTimeOffset, Datasets, long>?> holds)
    {
        Platform = platform;
        Shops = shops;
        Limit = limit;
        _server = server;
        BaseUrl = baseUrl;
        Stats = stats;
        _holds = holds;
    }

    public DemoPlatform Platform { get; }

    /// <summary>The shops the demo's job of this platform names.</summary>
    public IReadOnlyList<string> Shops { get; }

    /// <summary>Calls it admits in any sliding second: the configured platform's <c>RateLimit:PermitsPerSecond</c>.</summary>
    public double Limit { get; }

    public Uri BaseUrl { get; }

    public SimulatorStats Stats { get; }

    /// <summary>
    /// Starts the simulator of <paramref name="platform"/> with the limit, credentials, shop tokens (and for Lazada the
    /// quotas) of its configured <paramref name="section"/>.
    /// </summary>
    public static async Task<DemoSimulator> StartAsync(DemoPlatform platform, IConfigurationSection section, IReadOnlyList<string> shops, CancellationToken cancellationToken)
    {
        var limit = section.GetValue<double>("RateLimit:PermitsPerSecond");
        if (platform == DemoPlatform.Lazada)
        {
            var lazada = await PlatformSimCommand.StartLazadaAsync(section, IPAddress.Loopback, port: 0, limit, tokenTtl: null, default, cancellationToken);

            // The Lazada simulator answers for orders by creation time: another time field's count is not known.
            return new DemoSimulator(platform, shops, limit, lazada, lazada.BaseUrl, lazada.Stats, field => field == TimeFields.CreateTime
                ? (shop, from, to, dataset) => dataset == Datasets.Orders ? lazada.Expected(shop, from, to).Count : 0
                : null);
        }

        var shopee = await PlatformSimulator.StartAsync(new SimulatorOptions
        {
            PermitsPerSecond = limit,
            PartnerId = section.GetValue<long>("PartnerId"),
            PartnerKey = section["PartnerKey"] ?? "",
            AccessTokens = shops.ToDictionary(s => s, s => section[$"Shops:{s}:AccessToken"]!),
            RefreshTokens = shops.ToDictionary(s => s, s => section[$"Shops:{s}:RefreshToken"]!),
        }, cancellationToken: cancellationToken);
        return new DemoSimulator(platform, shops, limit, shopee, shopee.BaseUrl, shopee.Stats, field =>
            (shop, from, to, dataset) => shopee.Expected(shop, from, to, dataset, field).Count);
    }

    /// <summary>What the run compares its records with: the records the simulator holds, for a job read by <paramref name="timeField"/>; null when it cannot tell.</summary>
    public Func<string, DateTimeOffset, DateTimeOffset, Datasets, long>? Expected(string timeField) => _holds(timeField);

    /// <summary>The simulator's line after the run; <paramref name="alone"/> keeps the wording of a demo of one platform.</summary>
    public string Describe(bool alone)
    {
        var s = Stats;
        var name = alone ? "Simulator" : $"Simulator of {Platform.Name}";
        var quota = Platform == DemoPlatform.Lazada ? $", {s.QuotaRefused} refused for a spent quota" : "";
        return $"{name}: {s.Accepted} calls accepted, {s.Refused} refused over its strict sliding one-second limit{quota}; {s.Refreshes} token refreshes, {s.ExpiredAnswers} calls answered expired.";
    }

    public JsonObject ToJson() => new()
    {
        ["accepted"] = Stats.Accepted,
        ["throttled"] = Stats.Refused,
        ["quotaRefused"] = Stats.QuotaRefused,
        ["peakCallsPerSecond"] = Stats.PeakCallsPerSecond,
        ["limit"] = Limit,
        ["refreshes"] = Stats.Refreshes,
    };

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
