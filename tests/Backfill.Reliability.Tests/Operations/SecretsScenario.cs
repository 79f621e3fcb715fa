using System.Net.Http.Headers;
using System.Text;
using Backfill.Messaging.Clients;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Operations;

/// <summary>
/// "secrets": after a run with a slice that fails on a bad access token and a poison message parked on the DLQ, in a fleet
/// that refreshes tokens (refresh tokens in configuration, the key set, tokens rotating while the job runs), no partner
/// key, access token, refresh token, the fleet's key or the API token is anywhere: every log line of every level
/// (scheduler and worker), every status answer (API, CLI human and <c>--json</c>, metrics), every message on every topic
/// (keys, values, headers: the control topic carries the tokens sealed), and the bytes of every file in the LiteDB folder
/// (the registry keeps them sealed). The tokens the platform issued are found by their prefix.
/// </summary>
[Trait("Category", "Integration")]
public sealed class SecretsScenario(ITestOutputHelper output)
{
    private const string ApiToken = "ops-secret-api-token-0123456789abcdef";
    private const string BadShop = "30009";
    private const string BadToken = "ops-secret-revoked-token-30009";
    private static readonly string SecretKey = Core.Secrets.SecretBox.NewKey();

    private static string RefreshToken(string shop) => $"ops-secret-refresh-token-{shop}";

    [Fact]
    public async Task AfterARunWithFailuresAndADeadLetter_NoSecretAnywhere()
    {
        var serveLogs = new LogCapture();
        var workerLogs = new LogCapture();
        await using var harness = await ServerHarness.StartAsync(
            settings: new Dictionary<string, string?>
            {
                ["Kafka:GroupProtocol"] = "consumer",
                ["Backfill:ApiToken"] = ApiToken,
                // The platform does not know this token: the shop's slices fail on authentication.
                [$"Platforms:demo:Shops:{BadShop}:AccessToken"] = BadToken,

                // The fleet refreshes tokens: the key, the good shops' refresh tokens; a refused token waits a second.
                ["Backfill:SecretKey"] = SecretKey,
                ["Worker:TokenWait"] = "00:00:01",
                [$"Platforms:demo:Shops:{ServerHarness.Shops[0]}:RefreshToken"] = RefreshToken(ServerHarness.Shops[0]),
                [$"Platforms:demo:Shops:{ServerHarness.Shops[1]}:RefreshToken"] = RefreshToken(ServerHarness.Shops[1]),
            },
            logs: serveLogs,
            simulator: o =>
            {
                o.RefreshTokens = ServerHarness.Shops.ToDictionary(s => s, RefreshToken);
                o.TokenTtl = TimeSpan.FromSeconds(4);
            });
        harness.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiToken);
        var secrets = new[] { ServerHarness.PartnerKey, ApiToken, BadToken, SecretKey, Simulators.SimulatorTokens.AccessPrefix, Simulators.SimulatorTokens.RefreshPrefix }
            .Concat(ServerHarness.Shops.Select(ServerHarness.Token)).Concat(ServerHarness.Shops.Select(RefreshToken)).ToArray();
        var clients = harness.App.Services.GetRequiredService<KafkaClients>();
        var topics = harness.App.Services.GetRequiredService<KafkaConnection>().Topics;

        using var worker = harness.WorkerHost(workerLogs);
        await worker.StartAsync();
        string id;
        try
        {
            // A poison message for the DLQ, then the job.
            using (var producer = clients.CreateProducer("ops-secrets-poison"))
            {
                await producer.ProduceAsync(new TopicPartition(topics.Actions, 0), new Message<string, byte[]> { Key = "demo:0", Value = [0xFF, 0x00, 0x7B, 0x22] });
            }

            id = await JobsApi.CreateAsync(harness, [.. ServerHarness.Shops, BadShop], new DateOnly(2024, 3, 1), 2, "00:00:00.100", 8);
            await Poll.Eventually(
                async () => (await harness.Http.JobAsync(id)).IsFinished(),
                TimeSpan.FromSeconds(40),
                "the job to end");
            await Poll.Eventually(async () => await Task.FromResult(Watermarks.High(clients, topics.DeadLetters).Values.Sum() > 0), TimeSpan.FromSeconds(20), "the poison message on the DLQ");
        }
        finally
        {
            await worker.StopAsync();
        }

        // Tokens rotated while the job ran, and every one was announced, sealed.
        Assert.True(harness.Simulator.Stats.Refreshes >= ServerHarness.Shops.Length, $"{harness.Simulator.Stats.Refreshes} refreshes");
        Assert.Equal(0, harness.Simulator.Stats.RefusedRefreshes);

        var slices = await harness.Http.SlicesAsync(id);
        var failed = slices.Count(s => s.State == "failed");
        Assert.Equal(2, failed);
        Assert.All(slices.Where(s => s.State == "failed"), s => Assert.Equal(BadShop, s.Shop));

        // What an operator sees, in every form.
        var sources = new Dictionary<string, byte[]>
        {
            ["logs serve (all levels)"] = Utf8(string.Join('\n', serveLogs.Lines)),
            ["logs worker (all levels)"] = Utf8(string.Join('\n', workerLogs.Lines)),
            ["GET /api/jobs/{id}"] = Utf8(await harness.Http.GetStringAsync($"/api/jobs/{id}")),
            ["GET /api/jobs/{id}/slices"] = Utf8(await harness.Http.GetStringAsync($"/api/jobs/{id}/slices")),
            ["GET /api/jobs"] = Utf8(await harness.Http.GetStringAsync("/api/jobs")),
            ["GET /api/platforms"] = Utf8(await harness.Http.GetStringAsync("/api/platforms")),
            ["GET /api/platforms/demo/shops"] = Utf8(await harness.Http.GetStringAsync("/api/platforms/demo/shops")),
            ["GET /metrics"] = Utf8(await harness.Http.GetStringAsync("/metrics")),
            ["cli status"] = Utf8(await CliAsync("status", id, "--server", harness.BaseUrl.ToString())),
            ["cli status --json"] = Utf8(await CliAsync("status", id, "--json", "--server", harness.BaseUrl.ToString())),
            ["cli list --json"] = Utf8(await CliAsync("list", "--json", "--server", harness.BaseUrl.ToString())),
            ["cli shops"] = Utf8(await CliAsync("shops", "--server", harness.BaseUrl.ToString())),
            ["cli shops --json"] = Utf8(await CliAsync("shops", "--json", "--server", harness.BaseUrl.ToString())),
            ["cli retry (refused token)"] = Utf8(await CliAsync("retry", id, "--token", "not-the-api-token-at-all", "--server", harness.BaseUrl.ToString())),
            ["cli retry --json"] = Utf8(await CliAsync("retry", id, "--json", "--token", ApiToken, "--server", harness.BaseUrl.ToString())),
        };
        foreach (var topic in new[] { topics.Actions, topics.Orders, topics.Progress, topics.Control, topics.DeadLetters })
        {
            sources[$"topic {topic}"] = ReadTopic(clients, topic);
        }

        var dir = harness.Configuration["Backfill:DataDirectory"]!;
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            sources[$"file {Path.GetFileName(file)}"] = copy.ToArray();
        }

        // The data is there (errors, DLQ reasons), only the secrets are not.
        // The search finds what is there: the bad shop's id is in the LiteDB files (data file or its log, not yet
        // checkpointed), its slices and its actions; the job's id in the log.
        sources["files together"] = [.. sources.Where(s => s.Key.StartsWith("file ", StringComparison.Ordinal)).SelectMany(s => s.Value)];
        foreach (var (source, known) in new[]
        {
            ("files together", BadShop), ("GET /api/jobs/{id}/slices", BadShop), ($"topic {topics.Actions}", BadShop), ("logs serve (all levels)", id),
            ("files together", $"demo:{ServerHarness.Shops[0]}"), ($"topic {topics.Control}", $"token:demo:{ServerHarness.Shops[0]}"), ($"topic {topics.Control}", $"token-refused:demo:{BadShop}"),
        })
        {
            Assert.True(Contains(sources[source], Utf8(known)), $"{source} does not hold '{known}': the scan would not see a secret either");
        }

        sources.Remove("files together");

        Assert.True(sources[$"topic {topics.DeadLetters}"].Length > 0, "the DLQ holds the poison message");
        Assert.True(sources.Keys.Any(k => k.EndsWith(".db", StringComparison.Ordinal)), "the LiteDB file was scanned");
        var found = sources.SelectMany(s => secrets.Where(secret => Contains(s.Value, Utf8(secret))).Select(secret => $"{s.Key}: {secret}")).ToList();
        Assert.True(found.Count == 0, "secrets found: " + string.Join("; ", found));

        ScenarioFigures.Record(output, "secrets", new
        {
            secretsSearched = secrets.Length,
            slicesFailedOnAuth = failed,
            tokenRefreshes = harness.Simulator.Stats.Refreshes,
            found = found.Count,
            bytesScanned = sources.ToDictionary(s => s.Key, s => s.Value.LongLength),
            totalBytes = sources.Values.Sum(v => v.LongLength),
        });
    }

    private static async Task<string> CliAsync(params string[] args)
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync(args);
        return $"exit {code}\n{stdout}\n{stderr}";
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    /// <summary>Every record of <paramref name="topic"/> up to its high watermarks: key, value and headers, as bytes.</summary>
    private static byte[] ReadTopic(KafkaClients clients, string topic)
    {
        var high = Watermarks.High(clients, topic);
        using var consumer = clients.ConsumerBuilder($"ops-secrets-{Guid.NewGuid():N}", "ops-secrets").Build();
        consumer.Assign(high.Keys.Select(tp => new TopicPartitionOffset(tp, Offset.Beginning)));
        using var bytes = new MemoryStream();
        var left = high.Values.Sum();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (left > 0 && DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (record?.Message is not { } message)
            {
                continue;
            }

            left--;
            bytes.Write(Utf8(message.Key ?? ""));
            bytes.Write(message.Value ?? []);
            foreach (var header in message.Headers ?? [])
            {
                bytes.Write(Utf8(header.Key));
                bytes.Write(header.GetValueBytes() ?? []);
            }
        }

        Assert.True(left <= 0, $"{left} records of {topic} not read");
        consumer.Close();
        return bytes.ToArray();
    }
}
