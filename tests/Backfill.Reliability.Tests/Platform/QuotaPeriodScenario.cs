using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Core.Data;
using Backfill.Hosting;
using Backfill.Server;
using Backfill.Storage.Records;
using Backfill.Simulators.Lazada;
using Backfill.Storage;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Platform;

/// <summary>
/// A quota per period held by the fleet: the Lazada simulator allows the app a quota of calls per minute (about 40 % of
/// the job's calls) and refuses any call beyond it; <c>serve</c> and two worker hosts, with a backfill share of 0.8, must
/// spend at most 80 % of it in every minute, pause when that is spent (status says so), and resume by themselves at each
/// reset until every order is saved. Real clock: minutes are minutes, so this scenario lasts two to four of them.
/// </summary>
[Trait("Category", "Integration")]
public sealed class QuotaPeriodScenario(ITestOutputHelper output)
{
    private const string Platform = "lz";
    private const string AppSecret = "quota-scenario-app-secret";
    private const int Limit = 10;
    private const double Share = 0.8;
    private const double QuotaOfJob = 0.4;
    private const int PageSize = 100;
    private const int ItemsPerCall = 50;
    private static readonly string[] Sellers = ["seller-a", "seller-b"];
    private static readonly DateOnly From = new(2024, 1, 1);
    private const int Days = 15;
    // Short periods keep the scenario short: it crosses several resets, and what it shows does not depend on their length.
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    private static string Token(string seller) => $"quota-scenario-token-{seller}";

    [Fact]
    public async Task AQuotaOf40PercentOfTheJob_PausesAtTheShare_ResumesAtEachReset_NeverRefused_EveryOrderSaved()
    {
        var clock = Stopwatch.StartNew();

        // The job's calls, from the catalog: per day a list call per page of 100 and an items call per 50 orders of it.
        var catalog = await LazadaSimulator.StartAsync(new LazadaSimulatorOptions { AccessTokens = Sellers.ToDictionary(s => s, Token) });
        var jobCalls = Sellers.Sum(seller => Enumerable.Range(0, Days).Sum(d => CallsFor(catalog.OrdersOn(seller, From.AddDays(d)))));
        await catalog.DisposeAsync();
        var quota = (long)Math.Round(jobCalls * QuotaOfJob);
        var usable = (long)Math.Floor(quota * Share);

        await using var simulator = await LazadaSimulator.StartAsync(new LazadaSimulatorOptions
        {
            AppSecret = AppSecret,
            AccessTokens = Sellers.ToDictionary(s => s, Token),
            PermitsPerSecond = Limit,
            Quotas = [new LazadaQuota { Calls = quota, Period = Period, ResetTimeZone = "UTC" }],
        });

        await using var harness = await Harness.StartAsync();
        foreach (var key in harness.Settings.Keys.Where(k => k.StartsWith($"Platforms:{Harness.Platform}:", StringComparison.Ordinal)).ToList())
        {
            harness.Settings.Remove(key);
        }

        var s = harness.Settings;
        var p = $"Platforms:{Platform}";
        s[$"{p}:Kind"] = "lazada";
        s[$"{p}:BaseUrl"] = simulator.BaseUrl.ToString();
        s[$"{p}:AppKey"] = "100001";
        s[$"{p}:AppSecret"] = AppSecret;
        s[$"{p}:PageSize"] = PageSize.ToString(CultureInfo.InvariantCulture);
        s[$"{p}:Retry:BaseDelay"] = "00:00:00.050";
        s[$"{p}:RateLimit:PermitsPerSecond"] = Limit.ToString(CultureInfo.InvariantCulture);
        s[$"{p}:RateLimit:Lanes"] = "4";
        s[$"{p}:RateLimit:BackfillShare"] = Share.ToString(CultureInfo.InvariantCulture);
        s[$"{p}:RateLimit:Quotas:0:Calls"] = quota.ToString(CultureInfo.InvariantCulture);
        s[$"{p}:RateLimit:Quotas:0:Period"] = Period.ToString();
        s[$"{p}:RateLimit:Quotas:0:ResetTimeZone"] = "UTC";
        foreach (var seller in Sellers)
        {
            s[$"{p}:Shops:{seller}:AccessToken"] = Token(seller);
        }

        // The sellers' days (+08:00), so the job's slices are the catalog's days.
        s["Backfill:TimeZone"] = "Asia/Singapore";
        using var cluster = harness.ShareCluster();
        var server = ServerApp.Build(harness.Configuration(), "http://127.0.0.1:0", Harness.Logging);
        await server.StartAsync();
        using var first = harness.Host(BackfillRoles.Worker);
        using var second = harness.Host(BackfillRoles.Worker);
        await first.StartAsync();
        await second.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(server.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };

        using var created = await http.PostAsJsonAsync("/api/jobs", new
        {
            platform = Platform,
            shops = Sellers,
            from = From.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            to = From.AddDays(Days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            releaseEvery = "00:00:00.200",
            slicesPerRelease = 4,
        });
        var createdBody = await created.Content.ReadAsStringAsync();
        Assert.True(created.IsSuccessStatusCode, createdBody);
        var job = JsonSerializer.Deserialize<JsonElement>(createdBody).GetProperty("job").GetString()!;
        var started = DateTimeOffset.UtcNow;

        // Status as an operator sees it, read every 250 ms: when it says the quota is spent, and until when.
        var pauses = new List<(DateTimeOffset Seen, DateTimeOffset Until, DateTimeOffset? Ended)>();
        var spentLines = new List<string>();
        var metricsDuringPauses = new List<string>();
        var mostGrantedShown = 0L;
        var state = "running";
        while (state == "running")
        {
            Assert.True(clock.Elapsed < Deadline, $"the job did not finish within {Deadline.TotalMinutes} min; pauses: {string.Join(", ", pauses.Select(x => $"{x.Seen:HH:mm:ss}→{x.Until:HH:mm:ss}"))}");
            var status = await http.GetFromJsonAsync<JsonElement>($"/api/jobs/{job}");
            state = status.GetProperty("state").GetString()!;
            var budget = status.GetProperty("platforms")[0];
            var now = DateTimeOffset.UtcNow;
            var shown = Assert.Single(budget.GetProperty("quotas").EnumerateArray());
            mostGrantedShown = Math.Max(mostGrantedShown, shown.GetProperty("granted").GetInt64());
            Assert.Equal(usable, shown.GetProperty("usable").GetInt64());
            if (budget.GetProperty("quotaSpentUntil") is { ValueKind: JsonValueKind.String } until)
            {
                var end = until.GetDateTimeOffset();
                if (pauses.Count == 0 || pauses[^1].Until != end)
                {
                    pauses.Add((now, end, null));
                    spentLines.Add(budget.GetProperty("coolOffReason").GetString() ?? "");
                    var metrics = await http.GetStringAsync("/metrics");
                    metricsDuringPauses.Add(string.Join(" ", metrics.Split('\n').Where(l => l.StartsWith("backfill_quota_", StringComparison.Ordinal))));
                    Assert.Contains($"backfill_quota_spent_until_seconds{{platform=\"{Platform}\"}} {end.ToUnixTimeSeconds()}", metrics, StringComparison.Ordinal);
                }
            }
            else if (pauses.Count > 0 && pauses[^1].Ended is null)
            {
                pauses[^1] = pauses[^1] with { Ended = now };
            }

            await Task.Delay(250);
        }

        var sink = server.Services.GetRequiredService<RecordStore>();
        var store = server.Services.GetRequiredService<JobStore>();
        var slices = store.Slices(job);
        var expected = Sellers.Sum(seller => simulator.Expected(seller, slices.Min(x => x.From), slices.Max(x => x.To)).Count);
        await Poll.Eventually(() => sink.Totals(Datasets.Orders).Unique == expected, TimeSpan.FromSeconds(30), "the sink to hold every order");
        var sinkTotals = sink.Totals(Datasets.Orders);
        await second.StopAsync();
        await first.StopAsync();
        await server.StopAsync();
        await server.DisposeAsync();

        // The simulator's own count per quota window (from UTC midnight): admitted calls are every call not refused at admission.
        var calls = simulator.Calls.Snapshot().OrderBy(c => c.At).ToList();
        var admitted = calls.Where(c => c.Outcome is not ("quota" or "throttled")).ToList();
        static DateTimeOffset WindowOf(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % Period.Ticks), TimeSpan.Zero);
        var windows = admitted.GroupBy(c => WindowOf(c.At)).OrderBy(g => g.Key)
            .Select(g => new { start = g.Key, calls = g.Count(), first = g.Min(c => c.At), last = g.Max(c => c.At) }).ToList();

        // Resumed by itself: the first call of every window after the first, seconds after its reset.
        var resumeDelays = windows.Skip(1).Select(w => Math.Round((w.first - w.start).TotalSeconds, 1)).ToList();
        output.WriteLine("windows: " + string.Join(", ", windows.Select(w => $"{w.start:HH:mm:ss}: {w.calls} calls {w.first:HH:mm:ss.f}–{w.last:HH:mm:ss.f}")));
        output.WriteLine("pauses (status): " + string.Join(", ", pauses.Select(x => $"seen {x.Seen:HH:mm:ss.f}, until {x.Until:HH:mm:ss}, ended {x.Ended:HH:mm:ss.f}")));
        output.WriteLine("status said: " + string.Join(" | ", spentLines.Distinct()));
        output.WriteLine("metrics during pauses: " + string.Join(" | ", metricsDuringPauses));
        ScenarioFigures.Record(output, "quota", new
        {
            scenario = $"a quota of {quota} calls per {Period.TotalSeconds:0} s (UTC), {QuotaOfJob:P0} of the job's {jobCalls} calls; share {Share}, so {usable} per window; serve + 2 worker hosts; Lazada simulator at {Limit}/s",
            jobCallsEstimated = jobCalls,
            quota,
            usablePerWindow = usable,
            callsAdmitted = admitted.Count,
            callsPerWindow = windows.Select(w => w.calls).ToList(),
            windowsUsed = windows.Count,
            firstCallAfterResetSeconds = resumeDelays,
            pauses = pauses.Select(x => new
            {
                seenAt = Math.Round((x.Seen - started).TotalSeconds, 1),
                resumesAt = x.Until.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                endedAt = x.Ended is { } e ? Math.Round((e - started).TotalSeconds, 1) : (double?)null,
            }).ToList(),
            quotaRefused = simulator.Stats.QuotaRefused,
            rateRefused = simulator.Stats.Refused,
            mostGrantedShownInStatus = mostGrantedShown,
            peakCallsPerSecond = simulator.Stats.PeakCallsPerSecond,
            slices = slices.Count,
            slicesSucceeded = slices.Count(x => x.State == Core.Jobs.SliceState.Succeeded),
            ordersExpected = expected,
            ordersUnique = sinkTotals.Unique,
            duplicatesAbsorbed = sinkTotals.DuplicatesAbsorbed,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        });

        Assert.Equal("succeeded", state);
        Assert.Equal(expected, sinkTotals.Unique);
        Assert.Equal(0, simulator.Stats.QuotaRefused);
        Assert.Equal(0, simulator.Stats.Refused);
        Assert.True(mostGrantedShown <= usable, $"status showed {mostGrantedShown} calls granted in a window of {usable}");
        Assert.All(windows, w => Assert.True(w.calls <= usable, $"{w.calls} calls in the window from {w.start:HH:mm:ss}, more than the share of {usable}"));

        // At least two resets crossed, each after a pause that status announced, each with its reset as the time to resume.
        Assert.True(windows.Count >= 3, $"{windows.Count} windows used");
        Assert.True(pauses.Count >= 2, $"status said the quota was spent {pauses.Count} time(s)");
        Assert.All(pauses, x => Assert.Equal(WindowOf(x.Seen) + Period, x.Until));
        Assert.All(spentLines, line => Assert.StartsWith("quota spent, resumes at", line, StringComparison.Ordinal));
        Assert.All(resumeDelays, d => Assert.True(d < Period.TotalSeconds / 4, $"a window's first call came {d} s after its reset"));
    }

    /// <summary>A day's calls: a list call per page (one for an empty day) and an items call per 50 orders of each page.</summary>
    private static int CallsFor(int orders) =>
        orders == 0 ? 1 : Enumerable.Range(0, (orders + PageSize - 1) / PageSize).Sum(page => 1 + ((Math.Min(PageSize, orders - (page * PageSize)) + ItemsPerCall - 1) / ItemsPerCall));
}
