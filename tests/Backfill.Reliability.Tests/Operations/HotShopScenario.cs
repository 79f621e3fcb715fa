using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Platforms;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Operations;

/// <summary>
/// R8: one shop with 50× the orders of the others, one day each. A slice keeps the lane it was released on, so the hot
/// shop's lane (one action partition) carries most of the pages: status, <c>/metrics</c>, the CLI and the log must show the load
/// and lag per partition and report the skew, and the small shops must still finish while the hot shop runs.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HotShopScenario(ITestOutputHelper output)
{
    private const int HotFactor = 50;
    private const int Lanes = 4;
    private const string Hot = "40900";

    [Fact]
    public async Task HotShop_PartitionLoadAndLagShown_SkewReported_SmallShopsFinishFirst()
    {
        // One small shop on every lane, the hot shop's included (the first release fills every lane, then the hot shop's
        // slice goes to the least busy): even its lane-mate must not wait for it.
        var small = Enumerable.Range(40001, Lanes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var shops = small.Append(Hot).ToArray();
        var settings = new Dictionary<string, string?>
        {
            // KIP-848: on the mock cluster a classic rebalance stalls the workers for a whole session timeout.
            ["Kafka:GroupProtocol"] = "consumer",
            // Small pages: many pages from few orders, so the skew shows without thousands of orders to sink.
            ["Platforms:demo:PageSize"] = "20",
            ["Platforms:demo:RateLimit:PermitsPerSecond"] = "240",
            ["Platforms:demo:RateLimit:Lanes"] = $"{Lanes}",
        };
        foreach (var shop in shops)
        {
            settings[$"Platforms:demo:Shops:{shop}:AccessToken"] = ServerHarness.Token(shop);
        }

        var logs = new LogCapture();
        await using var harness = await ServerHarness.StartAsync(settings: settings, logs: logs, simulator: o =>
        {
            o.PermitsPerSecond = 240;
            o.AccessTokens = shops.ToDictionary(s => s, ServerHarness.Token);
            o.ShopVolume = new() { [Hot] = HotFactor };
        });
        var from = BusyDays(harness);
        var expected = shops.ToDictionary(s => s, s => harness.Simulator.ExpectedOrders(s, Day(from), Day(from.AddDays(1))));
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        try
        {
            var clock = Stopwatch.StartNew();
            using var created = await harness.Http.PostAsJsonAsync("/api/jobs", new
            {
                platform = "demo",
                shops,
                from = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                to = from.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                releaseEvery = "00:00:00.100",
                slicesPerRelease = 10,
            });
            var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;

            // Poll status as an operator would: when each shop's slices were all seen succeeded, what the lanes showed.
            var finished = new Dictionary<string, double>();
            var maxLag = new Dictionary<int, long>();
            string? skew = null;
            string? cliStatus = null;
            JsonElement status = default;
            while (clock.Elapsed < TimeSpan.FromSeconds(50))
            {
                status = await harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
                var slices = await harness.Http.SlicesAsync(id);
                foreach (var shop in shops.Where(s => !finished.ContainsKey(s)))
                {
                    if (slices.Where(s => s.Shop == shop).All(s => s.State == "succeeded"))
                    {
                        finished[shop] = clock.Elapsed.TotalSeconds;
                    }
                }

                var platform = status.GetProperty("platforms")[0];
                foreach (var lane in platform.GetProperty("partitions").EnumerateArray().Where(l => l.GetProperty("lag").ValueKind == JsonValueKind.Number))
                {
                    var n = lane.GetProperty("partition").GetInt32();
                    maxLag[n] = Math.Max(maxLag.GetValueOrDefault(n), lane.GetProperty("lag").GetInt64());
                }

                if (skew is null && platform.GetProperty("skew").GetString() is { } s)
                {
                    skew = s;
                    // The CLI's status while the skew holds: the operator's view of it.
                    cliStatus = (await CliRunner.RunAsync("status", id, "--server", harness.BaseUrl.ToString())).Out;
                }

                if (status.GetProperty("state").GetString() != "running")
                {
                    break;
                }

                await Task.Delay(100);
            }

            Assert.Equal("succeeded", status.GetProperty("state").GetString());
            var metrics = await harness.Http.GetStringAsync("/metrics");
            var partitions = status.GetProperty("platforms")[0].GetProperty("partitions").EnumerateArray().ToList();
            var hotLane = (await harness.Http.SlicesAsync(id)).Single(s => s.Shop == Hot).Lane;
            var pages = partitions.ToDictionary(l => l.GetProperty("lane").GetInt32(), l => l.GetProperty("pages").GetInt64());
            output.WriteLine(cliStatus);

            // Visible: every lane with its partition, load and lag in status; the same per partition in /metrics.
            Assert.Equal(Lanes, partitions.Count);
            Assert.All(partitions, l => Assert.Equal(JsonValueKind.Number, l.GetProperty("partition").ValueKind));
            Assert.True(pages[hotLane] > PartitionSkew.Factor * pages.Where(p => p.Key != hotLane).Max(p => p.Value), $"hot lane {hotLane} pages {pages[hotLane]} vs others {string.Join(",", pages)}");
            Assert.Contains("backfill_action_partition_lag_messages{platform=\"demo\",lane=\"0\",partition=", metrics, StringComparison.Ordinal);
            Assert.Contains($"backfill_lane_pages_total{{platform=\"demo\",lane=\"{hotLane}\"}} {pages[hotLane]}", metrics, StringComparison.Ordinal);

            // Reported: the skew in status, in the CLI's status, and one warning line in the log naming the hot lane.
            Assert.NotNull(skew);
            Assert.Contains($"(lane {hotLane})", skew, StringComparison.Ordinal);
            Assert.Contains("warning: skew:", cliStatus, StringComparison.Ordinal);
            var warnings = logs.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("action partitions are skewed", StringComparison.Ordinal)).ToList();
            Assert.Single(warnings);

            // Not starved: every small shop, its lane-mate too, finished before the hot shop did.
            Assert.Equal(shops.Length, finished.Count);
            Assert.All(small, s => Assert.True(finished[s] < finished[Hot], $"small shop {s} finished at {finished[s]:0.0} s, the hot shop at {finished[Hot]:0.0} s"));

            ScenarioFigures.Record(output, "R8", new
            {
                shops = shops.Length,
                hotFactor = HotFactor,
                slices = status.GetProperty("slices").GetProperty("total").GetInt32(),
                ordersExpectedHot = expected[Hot],
                ordersExpectedSmall = small.Sum(s => expected[s]),
                ordersEmitted = status.GetProperty("orders").GetProperty("emitted").GetInt64(),
                hotLane,
                pagesPerLane = pages.OrderBy(p => p.Key).Select(p => p.Value).ToArray(),
                maxLagPerPartition = maxLag.OrderBy(p => p.Key).ToDictionary(p => p.Key.ToString(CultureInfo.InvariantCulture), p => p.Value),
                skew,
                skewWarnings = warnings.Count,
                smallShopsLastFinishSeconds = Math.Round(small.Max(s => finished[s]), 1),
                hotShopFinishSeconds = Math.Round(finished[Hot], 1),
            });
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    private static DateTimeOffset Day(DateOnly day) => new(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);

    /// <summary>A day from March 2024 on which the hot shop has 1,200–3,000 orders (60–150 pages of 20): enough to skew, few enough to stay quick.</summary>
    private static DateOnly BusyDays(ServerHarness harness)
    {
        for (var from = new DateOnly(2024, 3, 1); from < new DateOnly(2025, 1, 1); from = from.AddDays(1))
        {
            if (harness.Simulator.ExpectedOrders(Hot, Day(from), Day(from.AddDays(1))) is >= 1_200 and <= 3_000)
            {
                return from;
            }
        }

        throw new InvalidOperationException("the simulator's catalog has no busy days for the hot shop");
    }
}
