using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Hosting;
using Backfill.Scheduling.Nightly;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Quartz;

namespace Backfill.Server.Tests.Nightly;

/// <summary>
/// <c>serve</c> with a nightly schedule on a fake clock: the real server, its embedded Kafka, a LiteDB file kept across
/// restarts, and Quartz driven by the same clock.
/// </summary>
[Trait("Category", "Integration")]
public sealed class NightlyScheduleTests : IDisposable
{
    private const string Schedule = "orders-nightly";
    private static readonly string[] Shops = ["30001", "30002"];
    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-nightly-").FullName;

    [Fact]
    public async Task Serve_DownOverTwoFirings_CatchesUpOncePerShop_AndNoFiringCreatesAJobTwice()
    {
        // First start at noon on May 1st: the schedule is new, its latest firing (02:30 that day) runs once.
        await using (var first = await StartAsync(At("2024-05-01T12:00:00Z"), new LogCapture()))
        {
            Assert.Equal(["orders-nightly-30001-20240501", "orders-nightly-30002-20240501"], await NightlyJobsAsync(first.Http));
        }

        // Down over the firings of May 2nd and 3rd: at start only May 3rd's runs; May 2nd is skipped and said so.
        var logs = new LogCapture();
        await using (var second = await StartAsync(At("2024-05-03T12:00:00Z"), logs))
        {
            Assert.Equal(
                ["orders-nightly-30001-20240501", "orders-nightly-30001-20240503", "orders-nightly-30002-20240501", "orders-nightly-30002-20240503"],
                await NightlyJobsAsync(second.Http));
            var job = await second.Http.GetFromJsonAsync<JsonElement>("/api/jobs/orders-nightly-30002-20240503");
            Assert.Equal((Schedule, "2024-05-02", "2024-05-03"), (job.GetProperty("source").GetString(), job.GetProperty("from").GetString(), job.GetProperty("to").GetString()));
            Assert.Equal(["30002"], job.GetProperty("shops").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal(("00:10:00", "high"), (job.GetProperty("releaseEvery").GetString(), job.GetProperty("priority").GetString()));
            Assert.Contains(logs.Lines, l => l.Contains("orders-nightly: 1 missed night(s) skipped", StringComparison.Ordinal) && l.Contains("(2024-05-02)", StringComparison.Ordinal));

            // The clock reaches the next firing while serve runs: Quartz fires it, one job per shop.
            second.Time.SetUtcNow(At("2024-05-04T02:30:00Z"));
            await Poll.Eventually(async () => (await NightlyJobsAsync(second.Http)).Count == 6, TimeSpan.FromSeconds(20), "the firing of May 4th");

            // The same firing again, run by hand and by Quartz: nothing new.
            var runs = second.App.Services.GetRequiredService<NightlyRuns>();
            Assert.Empty(await runs.FireAsync(Schedule, At("2024-05-04T02:30:00Z"), CancellationToken.None));
            var handled = runs.Firings;
            var scheduler = await second.App.Services.GetRequiredService<ISchedulerFactory>().GetScheduler();
            await scheduler.TriggerJob(new JobKey($"nightly-{Schedule}", NightlyRuns.Group));
            await Poll.Eventually(() => Task.FromResult(runs.Firings > handled), TimeSpan.FromSeconds(20), "the manual firing");
            Assert.Equal(6, (await NightlyJobsAsync(second.Http)).Count);
        }

        // A restart after the firing ran: nothing to catch up, nothing created.
        await using var third = await StartAsync(At("2024-05-04T09:00:00Z"), new LogCapture());
        Assert.Equal(6, (await NightlyJobsAsync(third.Http)).Count);
    }

    [Fact]
    public async Task Firing_OfAScheduleInAnotherZone_CoversThatZonesDays()
    {
        // 01:00 in Taipei on May 3rd is 17:00 UTC on May 2nd; the scheduler's own days are UTC.
        await using var server = await StartAsync(At("2024-05-02T18:00:00Z"), new LogCapture(), cron: "0 0 1 * * ?", zone: "Asia/Taipei", daysBack: 2);

        var job = await server.Http.GetFromJsonAsync<JsonElement>("/api/jobs/orders-nightly-30001-20240503");
        Assert.Equal(("2024-05-01", "2024-05-03"), (job.GetProperty("from").GetString(), job.GetProperty("to").GetString()));
        Assert.Equal(2, job.GetProperty("slices").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Firing_LeavesOutAShopThatIsNotActive_SayingWhy_AndMakesTheOthersJobs()
    {
        var logs = new LogCapture();
        await using var server = await StartAsync(At("2024-05-01T12:00:00Z"), logs);
        using var disabled = await server.Http.PostAsync("/api/platforms/demo/shops/30002/disable", null);
        Assert.True(disabled.IsSuccessStatusCode);

        server.Time.SetUtcNow(At("2024-05-02T02:30:00Z"));

        await Poll.Eventually(async () => (await NightlyJobsAsync(server.Http)).Contains("orders-nightly-30001-20240502"), TimeSpan.FromSeconds(20), "the firing of May 2nd");
        await Poll.Eventually(
            () => Task.FromResult(logs.Lines.Any(l => l.Contains("job orders-nightly-30002-20240502 was not created: Shop 30002 of platform demo is disabled: enable it with 'backfill shops enable demo 30002'.", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(20),
            "the refusal in the log");
        Assert.DoesNotContain("orders-nightly-30002-20240502", await NightlyJobsAsync(server.Http));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static DateTimeOffset At(string instant) => DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<List<string>> NightlyJobsAsync(HttpClient http)
    {
        var list = await http.GetFromJsonAsync<JsonElement>("/api/jobs");
        return [.. list.GetProperty("jobs").EnumerateArray()
            .Where(j => j.GetProperty("source").GetString() == Schedule)
            .Select(j => j.GetProperty("job").GetString()!)
            .Order(StringComparer.Ordinal)];
    }

    private async Task<Server> StartAsync(DateTimeOffset now, LogCapture logs, string cron = "0 30 2 * * ?", string zone = "UTC", int daysBack = 1)
    {
        var s = new Dictionary<string, string?>
        {
            ["Kafka:Namespace"] = "nightly",
            ["Kafka:Partitions:Actions"] = "2",
            ["Backfill:DataDirectory"] = _dir,
            ["Backfill:TimeZone"] = "UTC",
            ["Platforms:demo:Kind"] = "shopee",
            ["Platforms:demo:BaseUrl"] = "http://127.0.0.1:9/",
            ["Platforms:demo:PartnerId"] = "3003",
            ["Platforms:demo:PartnerKey"] = "nightly-tests-partner-key",
            ["Platforms:demo:RateLimit:PermitsPerSecond"] = "10",
            [$"Platforms:demo:Shops:{Shops[0]}:AccessToken"] = "nightly-token-1",
            [$"Platforms:demo:Shops:{Shops[1]}:AccessToken"] = "nightly-token-2",
            ["Schedules:0:Name"] = Schedule,
            ["Schedules:0:Cron"] = cron,
            ["Schedules:0:TimeZone"] = zone,
            ["Schedules:0:Platform"] = "DEMO",
            ["Schedules:0:Shops:0"] = Shops[0],
            ["Schedules:0:Shops:1"] = Shops[1],
            ["Schedules:0:DaysBack"] = daysBack.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Schedules:0:ReleaseEvery"] = "00:10:00",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(s).Build();
        var errors = ConfigurationCheck.Validate(configuration);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        var time = new FakeTimeProvider(now);
        var app = ServerApp.Build(configuration, "http://127.0.0.1:0", logging => logging.AddProvider(logs), services => services.AddSingleton<TimeProvider>(time));
        await app.StartAsync();
        return new Server(app, time);
    }

    private sealed class Server(WebApplication app, FakeTimeProvider time) : IAsyncDisposable
    {
        public WebApplication App => app;

        public FakeTimeProvider Time => time;

        public HttpClient Http { get; } = new() { BaseAddress = new Uri(app.Urls.Single()), Timeout = TimeSpan.FromSeconds(30) };

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
