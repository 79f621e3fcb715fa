using System.Globalization;
using System.Text.Json;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Hosting;
using Backfill.Platforms;
using Backfill.Scheduling;
using Backfill.Simulators.Lazada;
using Backfill.Storage;
using Backfill.Storage.Records;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;

namespace Backfill.EndToEnd.Tests;

/// <summary>
/// Two platforms of different kinds, Shopee and Lazada, each with its own simulator, limit and budget, backfilled at
/// the same time by one scheduler and two worker hosts on one mock cluster: each platform's simulator refuses every call
/// over its own limit in any sliding second (and Lazada's every call over its quota), and must refuse none.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TwoPlatformsTests(ITestOutputHelper output)
{
    private const string Lazada = "lz";
    private const double ShopeeLimit = 30;
    private const double LazadaLimit = 25;
    private const long LazadaQuotaCalls = 20_000;
    private const string AppSecret = "e2e-lazada-app-secret-0123456789";
    private const string BusySeller = "seller-a";
    private static readonly string[] Sellers = [BusySeller, "seller-b"];

    /// <summary>Lazada's offset cap: a list never reads past offset 5,000, so a day above it must be continued by time.</summary>
    private const int PastTheOffsetCap = 5_100;

    [Fact(Timeout = 300_000)]
    public async Task AJobPerPlatform_AtTheSameTime_SavesEveryOrderOfBoth_ADayPastLazadasOffsetCapIncluded_WithinEachLimitAndQuota()
    {
        await using var harness = await Harness.StartAsync(limit: ShopeeLimit);
        await using var lazada = await LazadaSimulator.StartAsync(new LazadaSimulatorOptions
        {
            PermitsPerSecond = LazadaLimit,
            Quotas = [new LazadaQuota { Calls = LazadaQuotaCalls, Period = TimeSpan.FromDays(1), ResetTimeZone = "Asia/Singapore" }],
            AppSecret = AppSecret,
            AccessTokens = Sellers.ToDictionary(s => s, Token),
            ShopVolume = { [BusySeller] = 30 },
        });

        // Days are the sellers' (+08:00), so a slice is one of Lazada's days: the busy day is one slice past the cap.
        var s = harness.Settings;
        s["Backfill:TimeZone"] = "Asia/Singapore";
        s[$"Platforms:{Lazada}:Kind"] = "lazada";
        s[$"Platforms:{Lazada}:BaseUrl"] = lazada.BaseUrl.ToString();
        s[$"Platforms:{Lazada}:AppKey"] = new LazadaSimulatorOptions().AppKey.ToString(CultureInfo.InvariantCulture);
        s[$"Platforms:{Lazada}:AppSecret"] = AppSecret;
        s[$"Platforms:{Lazada}:RateLimit:PermitsPerSecond"] = LazadaLimit.ToString(CultureInfo.InvariantCulture);
        s[$"Platforms:{Lazada}:RateLimit:Quotas:0:Calls"] = LazadaQuotaCalls.ToString(CultureInfo.InvariantCulture);
        s[$"Platforms:{Lazada}:RateLimit:Quotas:0:Period"] = "1.00:00:00";
        s[$"Platforms:{Lazada}:RateLimit:Quotas:0:ResetTimeZone"] = "Asia/Singapore";
        s[$"Platforms:{Lazada}:Retry:BaseDelay"] = "00:00:00.050";
        foreach (var seller in Sellers)
        {
            s[$"Platforms:{Lazada}:Shops:{seller}:AccessToken"] = Token(seller);
        }

        var busyDay = BusyDay(lazada);
        var from = busyDay;
        var to = busyDay.AddDays(2);
        var busiest = lazada.Expected(BusySeller, Start(busyDay), Start(busyDay.AddDays(1))).Ids.Count;
        Assert.True(busiest > PastTheOffsetCap, $"the busy day holds {busiest} orders");

        using var cluster = harness.ShareCluster();
        using var scheduler = harness.Host(BackfillRoles.Scheduler);
        await scheduler.StartAsync();
        var workers = new List<IHost>();
        for (var i = 0; i < 2; i++)
        {
            var worker = harness.Host(BackfillRoles.Worker);
            await worker.StartAsync();
            workers.Add(worker);
        }

        var started = DateTime.UtcNow;
        var planner = scheduler.Services.GetRequiredService<JobPlanner>();
        var release = TimeSpan.FromMilliseconds(200);
        var (shopeeJob, _) = await planner.CreateAsync(new BackfillRequest(Harness.Platform, Harness.Shops, from, to, release, SlicesPerRelease: 4), CancellationToken.None);
        var (lazadaJob, _) = await planner.CreateAsync(new BackfillRequest(Lazada, Sellers, from, to, release, SlicesPerRelease: 4), CancellationToken.None);
        var store = scheduler.Services.GetRequiredService<JobStore>();
        var records = scheduler.Services.GetRequiredService<RecordStore>();

        var expected = new Dictionary<(string Platform, string Shop), IReadOnlyList<string>>();
        foreach (var shop in Harness.Shops)
        {
            expected[(Harness.Platform, shop)] = harness.Simulator.Expected(shop, Start(from), Start(to), Datasets.Orders, TimeFields.CreateTime).Ids;
        }

        foreach (var seller in Sellers)
        {
            expected[(Lazada, seller)] = lazada.Expected(seller, Start(from), Start(to)).Ids;
        }

        await Poll.Eventually(() => store.Job(shopeeJob.Id)!.IsFinished && store.Job(lazadaJob.Id)!.IsFinished, TimeSpan.FromSeconds(240), "both jobs to finish");
        var finished = DateTime.UtcNow - started;
        await Poll.Eventually(
            () => expected.All(e => records.OfShop(Datasets.Orders, e.Key.Platform, e.Key.Shop).Count == e.Value.Count), TimeSpan.FromSeconds(60), "the sink to hold every order of both");

        Assert.Equal(JobState.Succeeded, store.Job(shopeeJob.Id)!.State);
        Assert.Equal(JobState.Succeeded, store.Job(lazadaJob.Id)!.State);
        foreach (var ((platform, shop), ids) in expected)
        {
            var saved = records.OfShop(Datasets.Orders, platform, shop).Select(r => r.RecordId).Order(StringComparer.Ordinal);
            Assert.Equal(ids.Order(StringComparer.Ordinal), saved);
        }

        var product = new Dictionary<string, PlatformCallStats>();
        foreach (var platform in new[] { Harness.Platform, Lazada })
        {
            var stats = workers.Select(w => w.Services.GetRequiredService<IOrderSources>().Stats(platform)).ToList();
            product[platform] = new PlatformCallStats(stats.Sum(x => x.Calls), stats.Sum(x => x.Throttled), stats.Sum(x => x.TransientErrors), stats.Sum(x => x.PermanentErrors), stats.Sum(x => x.TokensExpired), stats.Sum(x => x.QuotaRefused));
        }

        var shopee = harness.Simulator.Stats;
        var lazadaStats = lazada.Stats;
        output.WriteLine("figures two-platforms: " + JsonSerializer.Serialize(new
        {
            seconds = Math.Round(finished.TotalSeconds, 1),
            days = $"{from:yyyy-MM-dd}/{to:yyyy-MM-dd} Asia/Singapore",
            shopee = new
            {
                orders = expected.Where(e => e.Key.Platform == Harness.Platform).Sum(e => e.Value.Count),
                calls = shopee.Accepted,
                throttled = shopee.Refused,
                peakPerSecond = shopee.PeakCallsPerSecond,
                limit = ShopeeLimit,
            },
            lazada = new
            {
                orders = expected.Where(e => e.Key.Platform == Lazada).Sum(e => e.Value.Count),
                busiestDay = busiest,
                calls = lazadaStats.Accepted,
                throttled = lazadaStats.Refused,
                quotaRefused = lazadaStats.QuotaRefused,
                peakPerSecond = lazadaStats.PeakCallsPerSecond,
                limit = LazadaLimit,
            },
        }));

        Assert.Equal(0, shopee.Refused);
        Assert.Equal(0, lazadaStats.Refused);
        Assert.Equal(0, lazadaStats.QuotaRefused);
        Assert.InRange(shopee.PeakCallsPerSecond, 1, (int)ShopeeLimit);
        Assert.InRange(lazadaStats.PeakCallsPerSecond, 1, (int)LazadaLimit);
        Assert.All(product.Values, p => Assert.Equal(0, p.Throttled));
        Assert.All(product.Values, p => Assert.Equal((0L, 0L), (p.PermanentErrors, p.QuotaRefused)));

        foreach (var worker in workers)
        {
            await worker.StopAsync();
            worker.Dispose();
        }

        await scheduler.StopAsync();
    }

    private static string Token(string seller) => $"e2e-lazada-token-{seller}";

    /// <summary>The first day from 2024-01-01 on which the busy seller's orders pass the offset cap.</summary>
    private static DateOnly BusyDay(LazadaSimulator lazada)
    {
        var day = new DateOnly(2024, 1, 1);
        while (lazada.OrdersOn(BusySeller, day) <= PastTheOffsetCap)
        {
            day = day.AddDays(1);
        }

        return day;
    }

    private static DateTimeOffset Start(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8));
}
