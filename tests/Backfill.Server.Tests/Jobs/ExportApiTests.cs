using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Backfill.Core.Data;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Storage.Records;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Server.Tests.Jobs;

/// <summary>
/// Records produced to the record topics as workers produce them reach the sink, and a job's export gives them back as
/// stored, behind the API token; the CLI exports them through the API.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ExportApiTests : IAsyncLifetime
{
    internal const string Token = "export-tests-api-token-5c0ffee1";
    private static readonly string[] Shop = ["30001"];
    private ServerHarness? _harness;
    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-export-").FullName;

    private ServerHarness Harness => _harness!;

    public async Task InitializeAsync() =>
        _harness = await ServerHarness.StartAsync(settings: new Dictionary<string, string?> { ["Backfill:ApiToken"] = Token });

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    /// <summary>An order as the platform returns it, compact (as the sink keeps it), with <paramref name="items"/> items.</summary>
    internal static string OrderJson(string sn, int items = 1) =>
        $$"""{"order_sn":"{{sn}}","order_status":"COMPLETED","create_time":1612137600,"item_list":[{{string.Join(',', Enumerable.Range(0, items).Select(i => $$"""{"item_id":{{i}},"model_quantity_purchased":2,"item_name":"商品 {{i}}"}"""))}}]}""";

    internal static RecordMessage Record(Datasets dataset, string job, string id, string json) =>
        RecordMessage.Of(Encoding.UTF8.GetBytes(json), m => m with
        {
            Platform = "demo", Shop = "30001", Dataset = dataset, Id = id, Job = job, Slice = $"{job}/30001/20210201",
            CreateTime = DateTimeOffset.FromUnixTimeSeconds(1612137600), TimeField = TimeFields.CreateTime,
        });

    [Fact]
    public async Task Export_GivesTheJobsRecordsOfOneDataset_AsStored_InIdOrder_OnlyWithTheToken()
    {
        var job = await CreateJobAsync(["orders", "finance"]);
        var orders = new[] { OrderJson("B2"), OrderJson("A1", items: 200), OrderJson("C3") };
        var finance = new[] { """{"order_sn":"A1","order_income":{"escrow_amount":120.5,"items":[{"item_id":1}]}}""", """{"order_sn":"B2","order_income":{"escrow_amount":80}}""" };
        Assert.True(Encoding.UTF8.GetByteCount(orders[1]) > RecordMessage.CompressAbove, "one order travels gzipped");
        await ProduceAsync(
            [
                .. orders.Select(o => Record(Datasets.Orders, job, JsonDocument.Parse(o).RootElement.GetProperty("order_sn").GetString()!, o)),
                .. finance.Select(f => Record(Datasets.Finance, job, JsonDocument.Parse(f).RootElement.GetProperty("order_sn").GetString()!, f)),
                Record(Datasets.Orders, "another-job", "Z9", OrderJson("Z9")),
            ]);
        var sink = Harness.App.Services.GetRequiredService<RecordStore>();
        await Poll.Eventually(() => Task.FromResult(sink.Totals(Datasets.Orders).Unique == 4 && sink.Totals(Datasets.Finance).Unique == 2), TimeSpan.FromSeconds(30), "the sink to save the records");

        using (var anonymous = await Harness.Http.GetAsync($"/api/jobs/{job}/export?data=orders"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        var (type, lines) = await ExportAsync(job, "orders");
        Assert.Equal("application/x-ndjson; charset=utf-8", type);
        Assert.Equal(
            orders.Order(StringComparer.Ordinal).Select(o => """{"_platform":"demo","_shop":"30001","_dataset":"orders",""" + o[1..]),
            lines);
        var quantities = lines.Sum(l => JsonDocument.Parse(l).RootElement.GetProperty("item_list").EnumerateArray().Sum(i => i.GetProperty("model_quantity_purchased").GetInt32()));
        Assert.Equal(2 * 202, quantities);

        var (_, escrows) = await ExportAsync(job, "finance");
        Assert.Equal(finance.Select(f => """{"_platform":"demo","_shop":"30001","_dataset":"finance",""" + f[1..]), escrows);

        var status = await Harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{job}");
        Assert.Equal(["orders", "finance"], status.GetProperty("data").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(
            [("orders", 3L), ("finance", 2L)],
            status.GetProperty("datasets").EnumerateArray().Select(d => (d.GetProperty("data").GetString(), d.GetProperty("saved").GetInt64())));
    }

    [Theory]
    [InlineData("returns", HttpStatusCode.BadRequest, "did not pull returns; it pulled orders,finance")]
    [InlineData("refunds", HttpStatusCode.BadRequest, "data must name one dataset the job pulled")]
    [InlineData("", HttpStatusCode.BadRequest, "data must name one dataset the job pulled")]
    public async Task Export_OfADatasetTheJobDidNotPull_Is400(string data, HttpStatusCode status, string detail)
    {
        var job = await CreateJobAsync(["orders", "finance"]);

        using var response = await SendAsync($"/api/jobs/{job}/export?data={data}");

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_OfAnUnknownJob_Is404()
    {
        using var response = await SendAsync("/api/jobs/no-such-job/export?data=orders");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Sink_AnOrderOfVersion1_IsParkedSayingItsVersion_AndTheRecordsAroundItAreSaved()
    {
        var job = await CreateJobAsync(["orders"]);
        var v1 = """{"v":1,"platform":"demo","shop":"30001","orderSn":"OLD","status":"COMPLETED","createTime":"2021-02-01T00:00:00+00:00","updateTime":"2021-02-01T00:00:00+00:00","totalAmount":1,"currency":"TWD","job":"j","slice":"s"}""";
        var clients = Harness.App.Services.GetRequiredService<KafkaClients>();
        var counters = Harness.App.Services.GetRequiredService<KafkaCounters>();
        var parked = counters.DeadLettered;
        using (var producer = clients.CreateProducer("export-tests"))
        {
            await producer.ProduceAsync(clients.Connection.Topics.Orders, new Message<string, byte[]> { Key = "demo:30001:OLD", Value = Encoding.UTF8.GetBytes(v1) });
        }

        await ProduceAsync([Record(Datasets.Orders, job, "NEW", OrderJson("NEW"))]);

        var sink = Harness.App.Services.GetRequiredService<RecordStore>();
        await Poll.Eventually(() => Task.FromResult(sink.Find(Datasets.Orders, "demo:30001:NEW") is not null && counters.DeadLettered > parked), TimeSpan.FromSeconds(30), "the new record saved and the old one parked");
        Assert.Null(sink.Find(Datasets.Orders, "demo:30001:OLD"));
        var dead = ReadAll(clients, clients.Connection.Topics.DeadLetters);
        Assert.Contains(dead, m => Encoding.UTF8.GetString(m.Message.Value).Contains("OLD", StringComparison.Ordinal)
            && m.Message.Headers.Any(h => Encoding.UTF8.GetString(h.GetValueBytes()).Contains("RecordMessage version 1 is not supported", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ExportCommand_ThroughTheApi_WritesTheLinesToTheFile_AndWithoutTheTokenFails()
    {
        var job = await CreateJobAsync(["orders"]);
        await ProduceAsync([Record(Datasets.Orders, job, "A1", OrderJson("A1")), Record(Datasets.Orders, job, "B2", OrderJson("B2"))]);
        var sink = Harness.App.Services.GetRequiredService<RecordStore>();
        await Poll.Eventually(() => Task.FromResult(sink.CountOfJob(Datasets.Orders, job) == 2), TimeSpan.FromSeconds(30), "the sink to save the records");
        var file = Path.Combine(_dir, "orders.ndjson");

        var (code, _, stderr) = await CliRunner.RunAsync("export", job, "--data", "orders", "--out", file, "--server", Harness.BaseUrl.ToString(), "--token", Token);

        Assert.True(code == 0, stderr);
        Assert.Equal([OrderJson("A1"), OrderJson("B2")], File.ReadAllLines(file).Select(l => "{" + l[l.IndexOf("\"order_sn\"", StringComparison.Ordinal)..]));
        Assert.Contains($"2 orders record(s) of job {job} exported from {Harness.BaseUrl.ToString().TrimEnd('/')}", stderr, StringComparison.Ordinal);

        var refusedFile = Path.Combine(_dir, "refused.ndjson");
        var refused = await CliRunner.RunAsync("export", job, "--data", "orders", "--out", refusedFile, "--server", Harness.BaseUrl.ToString(), "--Backfill:ApiToken=");
        Assert.Equal(1, refused.Code);
        Assert.Contains("Authorization: Bearer", refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(refusedFile), "a refused export writes no file");

        var notPulled = await CliRunner.RunAsync("export", job, "--data", "finance", "--server", Harness.BaseUrl.ToString(), "--token", Token);
        Assert.Equal(2, notPulled.Code);
        Assert.Contains("did not pull finance; it pulled orders", notPulled.Error, StringComparison.Ordinal);
    }

    private async Task<string> CreateJobAsync(string[] data)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/jobs")
        {
            Content = JsonContent.Create(new { platform = "demo", shops = Shop, from = "2021-02-01", to = "2021-02-03", releaseEvery = "01:00:00", data, allowOverlap = true }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        using var created = await Harness.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
    }

    private async Task ProduceAsync(IEnumerable<RecordMessage> records)
    {
        var clients = Harness.App.Services.GetRequiredService<KafkaClients>();
        using var producer = clients.CreateProducer("export-tests");
        foreach (var record in records)
        {
            await producer.ProduceAsync(clients.Connection.Topics.Records(record.Dataset), new Message<string, byte[]> { Key = record.Key, Value = MessageCodec.Encode(record) });
        }
    }

    private Task<HttpResponseMessage> SendAsync(string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        return Harness.Http.SendAsync(request);
    }

    private async Task<(string? Type, List<string> Lines)> ExportAsync(string job, string data)
    {
        using var response = await SendAsync($"/api/jobs/{job}/export?data={data}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.EndsWith("\n", body, StringComparison.Ordinal);
        return (response.Content.Headers.ContentType?.ToString(), [.. body.TrimEnd('\n').Split('\n')]);
    }

    private static List<ConsumeResult<string, byte[]>> ReadAll(KafkaClients clients, string topic)
    {
        using var admin = clients.CreateAdmin("export-tests-reader");
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        using var consumer = clients.ConsumerBuilder($"export-tests-{Guid.NewGuid():N}", "export-tests-reader").Build();
        var messages = new List<ConsumeResult<string, byte[]>>();
        foreach (var partition in partitions)
        {
            var end = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High.Value;
            if (end == 0)
            {
                continue;
            }

            consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
            while (consumer.Consume(TimeSpan.FromSeconds(10)) is { } r && !r.IsPartitionEOF)
            {
                messages.Add(r);
                if (r.Offset.Value >= end - 1)
                {
                    break;
                }
            }
        }

        return messages;
    }
}
