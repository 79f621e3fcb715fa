using System.Diagnostics;
using System.Text.Json;
using Backfill.Messaging;
using Backfill.Messaging.Embedded;
using Backfill.Messaging.Topics;
using Backfill.Simulators;
using Backfill.Simulators.Lazada;
using Backfill.Scheduling.Shops;
using Backfill.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Cli.Tests;

/// <summary>
/// A mock cluster with the product's topics under two namespaces, and the simulators with the credentials of
/// appsettings.json's <c>demo</c> (Shopee) and <c>lazada</c>.
/// </summary>
public sealed class DoctorFixture : IAsyncLifetime
{
    public const string PartnerKey = "demo-partner-key-for-the-built-in-simulator";


    public MockCluster Cluster { get; private set; } = null!;

    public PlatformSimulator Simulator { get; private set; } = null!;

    public LazadaSimulator Lazada { get; private set; } = null!;

    /// <summary>appsettings.json's <c>lazada</c> as a scheduler of this configuration holds it, so doctor can read its shops.</summary>
    public IReadOnlyDictionary<string, string?> LazadaSettings { get; private set; } = null!;

    /// <summary>A running scheduler whose shop registry doctor reads (its own Kafka; doctor checks the cluster above).</summary>
    internal ServerHarness Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Lazada = await LazadaDemo.StartAsync();
        LazadaSettings = LazadaDemo.Settings(Lazada);
        Server = await ServerHarness.StartAsync(settings: LazadaSettings);
        Cluster = MockCluster.Start();
        Cluster.CreateTopics(new TopicNames("doc").Specs(new TopicPartitionOptions()));
        Cluster.CreateTopics(new TopicNames("few").Specs(new TopicPartitionOptions { Actions = 2 }));
        Simulator = await PlatformSimulator.StartAsync(new SimulatorOptions
        {
            PermitsPerSecond = 20,
            PartnerId = 1000001,
            PartnerKey = PartnerKey,
            AccessTokens = new Dictionary<string, string> { ["10001"] = "demo-token-10001", ["10002"] = "demo-token-10002" },

            // Orders in every hour, whenever the test runs: doctor's test page of the last hour then takes its list
            // call and a detail call.
            ShopVolume = new Dictionary<string, int> { ["10001"] = 20 },
        });
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Simulator.DisposeAsync();
        await Lazada.DisposeAsync();
        Cluster.Dispose();
    }
}

[Trait("Category", "Integration")]
public sealed class DoctorCommandTests(DoctorFixture fixture) : IClassFixture<DoctorFixture>
{
    [Fact]
    public async Task Doctor_AgainstAHealthyClusterAndPlatform_IsAllOk()
    {
        var (code, report) = await DoctorJsonAsync("doc");

        Assert.Equal(0, code);
        Assert.True(report.GetProperty("ok").GetBoolean());
        var rows = report.GetProperty("checks").EnumerateArray().ToList();
        Assert.All(rows, r => Assert.True(r.GetProperty("status").GetString() == "ok", r.ToString()));
        Assert.Equal(
            ["configuration", "storage", "kafka", "topic doc.actions", "topic doc.orders", "topic doc.finance", "topic doc.returns", "topic doc.progress", "topic doc.actions.dlq", "topic doc.control", "lanes demo", "lanes lazada", "workers", "lag workers", "lag scheduler progress", "lag scheduler sink", "lag scheduler sink finance", "lag scheduler sink returns", "platform demo", "platform lazada",
             .. ServerHarness.Shops.Concat(ServerHarness.IdleShops).Order(StringComparer.Ordinal).Select(s => $"shop demo/{s}"), "shop lazada/seller-a", "shop lazada/seller-b"],
            rows.Select(r => r.GetProperty("check").GetString()));
        Assert.Equal("active (from configuration); access token v0 expiry unknown; refresh token none held; not refreshed yet.", Row(report, "shop demo/30001").GetProperty("detail").GetString());
        Assert.All(rows, r => Assert.Equal(["check", "status", "detail"], r.EnumerateObject().Select(p => p.Name)));
        Assert.Equal("8 partition(s).", Row(report, "topic doc.actions").GetProperty("detail").GetString());
        Assert.Equal("8 budget lane(s), each on its own partition of doc.actions (8).", Row(report, "lanes demo").GetProperty("detail").GetString());

        // The mock cluster cannot describe groups: the row says so and judges by this configuration.
        Assert.Equal(
            "the members of group doc.workers cannot be counted: this cluster does not describe consumer groups (librdkafka's mock cluster, as 'dev-kafka' runs, does not); by this configuration, each worker process's 2 consumer(s) (Worker:Concurrency) fit the 8 partition(s) of doc.actions.",
            Row(report, "workers").GetProperty("detail").GetString());
        Assert.Equal("0 action messages on doc.actions wait for group doc.workers.", Row(report, "lag workers").GetProperty("detail").GetString());
        Assert.StartsWith("signed test call for shop 10001 answered", Row(report, "platform demo").GetProperty("detail").GetString(), StringComparison.Ordinal);
        // The share kept for the partner key's other clients is shown with the budget it leaves.
        Assert.Matches(@"Budget: [\d.]+/s less a safety margin of [\d.]+ \(RateLimit:SafetyMargin, left to the partner key's other clients such as the sellers' live sync\): \d+ call\(s\) per 1 s in 8 lane\(s\)\.", Row(report, "platform demo").GetProperty("detail").GetString());

        var (humanCode, stdout, _) = await CliRunner.RunAsync(["doctor", .. Overrides("doc")]);
        Assert.Equal(0, humanCode);
        Assert.Matches(@"│\s*platform demo\s*│\s*ok\s*│", stdout);
        Assert.Contains("No check failed; 0 warning(s).", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_UnreachableKafka_FailsFastWithAReadableSentence()
    {
        var port = new Uri(CliRunner.Unreachable()).Port;
        var watch = Stopwatch.StartNew();

        var (code, stdout, stderr) = await CliRunner.RunAsync("doctor", "--json", $"--Kafka:BootstrapServers=127.0.0.1:{port}", $"--Platforms:demo:BaseUrl={fixture.Simulator.BaseUrl}");

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.Equal(1, code);
        Assert.Equal("", stderr);
        var report = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout));
        Assert.False(report.GetProperty("ok").GetBoolean());
        var kafka = Row(report, "kafka");
        Assert.Equal("fail", kafka.GetProperty("status").GetString());
        Assert.StartsWith($"Kafka at 127.0.0.1:{port} did not answer within 5 s (", kafka.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Check Kafka:BootstrapServers", kafka.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(report.GetProperty("checks").EnumerateArray(), r => r.GetProperty("check").GetString()!.StartsWith("topic", StringComparison.Ordinal));
        Assert.Equal("ok", Row(report, "platform demo").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Doctor_FewerActionPartitionsThanLanesAndWorkers_WarnsWithR9sEffect_AndExits0()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync(["doctor", "--json", .. Overrides("few"), "--Worker:Concurrency=3"]);

        Assert.True(code == 0, stderr);
        var report = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout));
        var lanes = Row(report, "lanes demo");
        Assert.Equal("warn", lanes.GetProperty("status").GetString());
        Assert.Equal(
            "demo has 8 budget lanes but few.actions has only 2 partition(s): lanes share partitions, so at most 2 worker consumer(s) call demo at once and part of its rate limit may go unused (R9). Give few.actions at least 8 partitions, or set Platforms:demo:RateLimit:Lanes to 2.",
            lanes.GetProperty("detail").GetString());
        var workers = Row(report, "workers");
        Assert.Equal("warn", workers.GetProperty("status").GetString());
        Assert.EndsWith(
            "by this configuration: 3 worker consumers per worker process (Worker:Concurrency) but few.actions has only 2 partition(s): 1 of them get no partition and sit idle (R9). Give few.actions at least 3 partitions, or run fewer consumers (Worker:Concurrency, fewer 'backfill worker' processes).",
            workers.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("2 partition(s); Kafka:Partitions:Actions says 8, which applies only when the topic is created.", Row(report, "topic few.actions").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Doctor_WrongPartnerKey_FailsThePlatformRowWithTheErrorCode_AndNeverShowsTheKey()
    {
        const string Wrong = "wrong-partner-key-7c1e9a";

        var (code, stdout, stderr) = await CliRunner.RunAsync(["doctor", "--json", .. Overrides("doc"), $"--Platforms:demo:PartnerKey={Wrong}"]);
        var (humanCode, human, humanErr) = await CliRunner.RunAsync(["doctor", .. Overrides("doc"), $"--Platforms:demo:PartnerKey={Wrong}"]);

        Assert.Equal((1, 1), (code, humanCode));
        var platform = Row(JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout)), "platform demo");
        Assert.Equal("fail", platform.GetProperty("status").GetString());
        Assert.StartsWith("the signed test call for shop 10001 failed: error_sign (permanent): Wrong sign.", platform.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Check Platforms:demo:PartnerId, PartnerKey and Shops:10001:AccessToken.", platform.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("error_sign", human, StringComparison.Ordinal);
        foreach (var secret in new[] { Wrong, DoctorFixture.PartnerKey, "demo-token-10001" })
        {
            Assert.DoesNotContain(secret, stdout + stderr + human + humanErr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Doctor_InvalidConfiguration_IsAFailedRowNotAUsageError()
    {
        var (code, stdout, _) = await CliRunner.RunAsync(["doctor", "--json", .. Overrides("doc"), "--Backfill:SliceDays=99"]);

        Assert.Equal(1, code);
        var row = Row(JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout)), "configuration");
        Assert.Equal("fail", row.GetProperty("status").GetString());
        Assert.Contains("Backfill:SliceDays must be between 1 and 15", row.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_NoSchedulerAnswers_WarnsOnOneShopsRow_AndExits0()
    {
        var server = CliRunner.Unreachable();

        var (code, stdout, stderr) = await CliRunner.RunAsync(["doctor", "--json", .. Overrides("doc", server)]);

        Assert.True(code == 0, stderr);
        var row = Row(JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout)), "shops");
        Assert.Equal("warn", row.GetProperty("status").GetString());
        Assert.StartsWith($"not checked: no scheduler answers at {server} (", row.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("The shop registry (states, token expiries) lives in 'backfill serve': run doctor where it reaches serve, or set Backfill:ServerUrl.", row.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_WarnsOfAShopThatNeedsAuthorization_ARefreshTokenAboutToLapse_AndRefreshTokensWithoutAKey_NeverShowingOne()
    {
        const string Refresh = "doctor-refresh-token-secret";
        await using var harness = await ServerHarness.StartAsync(settings: fixture.LazadaSettings);
        harness.App.Services.GetRequiredService<ShopRegistry>().RefreshRefused("demo", "40001", "refused: error_param: invalid refresh_token");
        var now = harness.App.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        harness.App.Services.GetRequiredService<ShopStore>().Update("demo", "40002", r =>
        {
            r!.RefreshExpiresAt = now.AddDays(3).AddMinutes(5);
            return r;
        });

        var (code, stdout, stderr) = await CliRunner.RunAsync(["doctor", "--json", .. Overrides("doc", harness.BaseUrl.ToString()), $"--Platforms:demo:Shops:10001:RefreshToken={Refresh}"]);
        var (_, human, _) = await CliRunner.RunAsync(["doctor", .. Overrides("doc", harness.BaseUrl.ToString()), $"--Platforms:demo:Shops:10001:RefreshToken={Refresh}"]);

        Assert.True(code == 0, stderr);
        var report = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout));
        var key = Row(report, "secret key");
        Assert.Equal("warn", key.GetProperty("status").GetString());
        Assert.StartsWith("refresh tokens are configured for 1 shop(s) but Backfill:SecretKey is not set", key.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var refused = Row(report, "shop demo/40001");
        Assert.Equal("warn", refused.GetProperty("status").GetString());
        Assert.Contains("needs-authorization (from configuration); ", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Needs authorization: the platform refused its refresh token (refused: error_param: invalid refresh_token, ", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var lapsing = Row(report, "shop demo/40002");
        Assert.Equal("warn", lapsing.GetProperty("status").GetString());
        Assert.Contains("The refresh token lapses in 3 d ", lapsing.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", Row(report, "shop demo/40003").GetProperty("status").GetString());
        Assert.Contains("shop demo/40001", human, StringComparison.Ordinal);
        Assert.DoesNotContain(Refresh, stdout + stderr + human, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_UnknownOption_Exits2()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("doctor", "--verbose");

        Assert.Equal(2, code);
        Assert.Contains("Try 'backfill doctor --help'.", stderr, StringComparison.Ordinal);
    }

    private static JsonElement Row(JsonElement report, string check) =>
        report.GetProperty("checks").EnumerateArray().Single(r => r.GetProperty("check").GetString() == check);

    private string[] Overrides(string ns, string? server = null) =>
        [$"--Kafka:BootstrapServers={fixture.Cluster.BootstrapServers}", $"--Kafka:Namespace={ns}", "--Kafka:GroupProtocol=consumer", "--Worker:Concurrency=2", $"--Platforms:demo:BaseUrl={fixture.Simulator.BaseUrl}",
         $"--Platforms:lazada:BaseUrl={fixture.LazadaSettings["Platforms:lazada:BaseUrl"]}", $"--Backfill:ServerUrl={server ?? fixture.Server.BaseUrl.ToString()}"];

    private async Task<(int Code, JsonElement Report)> DoctorJsonAsync(string ns)
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync(["doctor", "--json", .. Overrides(ns)]);
        Assert.True(stderr.Length == 0, stderr);
        return (code, JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout)));
    }
}
