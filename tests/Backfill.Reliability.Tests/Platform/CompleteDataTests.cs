using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Core.Data;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Platform;

/// <summary>
/// complete data: a job pulling orders, finance and returns through <c>serve</c> and a worker host, against the
/// simulator; each dataset exported through the API equals what the simulator holds — the count, the ids, and a sum over
/// a nested member of every record (item quantities, escrow amounts, refund amounts) — with no call throttled.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CompleteDataTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(180);

    [Fact]
    public async Task AJobOfEveryDataset_ThroughServeAndAWorker_ExportsWhatThePlatformHolds_RecordForRecord()
    {
        var clock = Stopwatch.StartNew();
        await using var harness = await Harness.StartAsync(limit: 40);
        await using var run = await ServerRun.StartAsync(harness);
        var from = new DateOnly(2024, 1, 8);
        const int Days = 4;
        var (start, end) = (new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), new DateTimeOffset(from.AddDays(Days).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));

        using var created = await run.Http.PostAsJsonAsync("/api/jobs", new
        {
            platform = Harness.Platform,
            shops = Harness.Shops,
            from = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            to = from.AddDays(Days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            data = DatasetNames.Names(Datasets.Orders | Datasets.Finance | Datasets.Returns),
            releaseEvery = "00:00:00.200",
            slicesPerRelease = 4,
        });
        var body = await created.Content.ReadAsStringAsync();
        Assert.True(created.IsSuccessStatusCode, body);
        var job = JsonSerializer.Deserialize<JsonElement>(body).GetProperty("job").GetString()!;
        await run.WaitForStateAsync(job, "succeeded", Limit);

        var figures = new Dictionary<string, object>();
        foreach (var dataset in DatasetNames.All)
        {
            var name = DatasetNames.Name(dataset);
            var expected = Harness.Shops.Select(shop => harness.Simulator.Expected(shop, start, end, dataset, TimeFields.CreateTime)).ToList();
            var ids = expected.SelectMany(e => e.Ids).Order(StringComparer.Ordinal).ToList();
            var checksum = expected.Sum(e => e.Checksum);
            List<JsonElement> lines = [];
            await Poll.Eventually(
                () => (lines = ExportAsync(run.Http, job, name).GetAwaiter().GetResult()).Count >= ids.Count,
                TimeSpan.FromSeconds(30),
                $"the sink to hold every {name} record");

            Assert.All(lines, l => Assert.Equal((Harness.Platform, name), (l.GetProperty("_platform").GetString(), l.GetProperty("_dataset").GetString())));
            var exportedIds = lines.Select(l => l.GetProperty(dataset == Datasets.Returns ? "return_sn" : "order_sn").GetString()!).Order(StringComparer.Ordinal).ToList();
            var exportedSum = lines.Sum(l => Nested(dataset, l));
            output.WriteLine($"{name}: {lines.Count} exported, {ids.Count} at the platform; checksum {exportedSum} / {checksum}");
            figures[name] = new { exported = lines.Count, expected = ids.Count, checksum = exportedSum, expectedChecksum = checksum };

            Assert.NotEmpty(ids);
            Assert.Equal(ids, exportedIds);
            Assert.Equal(checksum, exportedSum);
        }

        var stats = harness.Simulator.Stats.Snapshot();
        var calls = harness.Simulator.Calls.Snapshot();
        Assert.Equal(0, stats.Refused);
        ScenarioFigures.Record(output, "complete data", new
        {
            processes = "serve + a worker host in one process, mock cluster, simulator at 40/s",
            shops = Harness.Shops.Length,
            days = Days,
            datasets = figures,
            calls = calls.Count,
            escrowCalls = calls.Count(c => c.Path.Contains("escrow", StringComparison.Ordinal)),
            returnCalls = calls.Count(c => c.Path.Contains("returns", StringComparison.Ordinal)),
            refused = stats.Refused,
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
        });
    }

    /// <summary>The nested member the simulator's checksum sums: item quantities, the escrow amount, the refund.</summary>
    private static decimal Nested(Datasets dataset, JsonElement record) => dataset switch
    {
        Datasets.Orders => record.GetProperty("item_list").EnumerateArray().Sum(i => i.GetProperty("model_quantity_purchased").GetDecimal()),
        Datasets.Finance => record.GetProperty("order_income").GetProperty("escrow_amount").GetDecimal(),
        _ => record.GetProperty("refund_amount").GetDecimal(),
    };

    private static async Task<List<JsonElement>> ExportAsync(HttpClient http, string job, string data)
    {
        using var response = await http.GetAsync($"/api/jobs/{job}/export?data={data}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonSerializer.Deserialize<JsonElement>(l))];
    }
}
