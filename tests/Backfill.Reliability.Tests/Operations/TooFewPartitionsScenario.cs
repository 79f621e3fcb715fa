using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Operations;

/// <summary>
/// R9: an action topic with fewer partitions than the platform's budget lanes and than a worker process's consumers.
/// The start-up logs of <c>serve</c> and of a worker, and <c>doctor</c>'s rows, must say so plainly, with the figures.
/// </summary>
[Trait("Category", "Integration")]
public sealed class TooFewPartitionsScenario(ITestOutputHelper output)
{
    private const int Partitions = 2;
    private const int Consumers = 3;

    [Fact]
    public async Task ActionTopicTooSmall_StartupLogsAndDoctorSaySoWithTheFigures()
    {
        var watch = Stopwatch.StartNew();
        var serveLogs = new LogCapture();

        // doctor reads appsettings.json, whose lazada platform must answer its test call too.
        await using var lazada = await LazadaDemo.StartAsync();
        var settings = LazadaDemo.Settings(lazada);
        settings["Kafka:Partitions:Actions"] = $"{Partitions}";
        settings["Kafka:GroupProtocol"] = "consumer";
        settings["Worker:Concurrency"] = $"{Consumers}";
        await using var harness = await ServerHarness.StartAsync(
            settings: settings,
            logs: serveLogs,
            // doctor reads appsettings.json too: its demo shops must be able to make the signed test call.
            simulator: o =>
            {
                o.AccessTokens["10001"] = "demo-token-10001";
                o.AccessTokens["10002"] = "demo-token-10002";
            });
        var workerLogs = new LogCapture();
        using (var worker = harness.WorkerHost(workerLogs))
        {
            await worker.StartAsync();
            await worker.StopAsync();
        }

        // doctor with exactly the configuration serve runs with, on serve's cluster.
        string[] args =
        [
            "doctor", "--json",
            .. harness.Configuration.AsEnumerable().Where(kv => kv.Value is not null && kv.Key.Contains(':', StringComparison.Ordinal)).Select(kv => $"--{kv.Key}={kv.Value}"),
            $"--Kafka:BootstrapServers={harness.Bootstrap}",
        ];
        var (code, stdout, stderr) = await CliRunner.RunAsync(args);
        var (humanCode, human, _) = await CliRunner.RunAsync([.. args.Where(a => a != "--json")]);
        output.WriteLine(human);

        Assert.True(code == 0, $"doctor exited {code}: {stdout}\n{stderr}");
        Assert.Equal(0, humanCode);
        var report = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout));
        var lanes = Row(report, "lanes demo");
        var workers = Row(report, "workers");
        const string LanesSentence = "demo has 8 budget lanes but srv.actions has only 2 partition(s): lanes share partitions, so at most 2 worker consumer(s) call demo at once";
        const string WorkersSentence = "3 worker consumers per worker process (Worker:Concurrency) but srv.actions has only 2 partition(s): 1 of them get no partition and sit idle (R9)";
        Assert.Equal("warn", lanes.GetProperty("status").GetString());
        Assert.Contains(LanesSentence, lanes.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("warn", workers.GetProperty("status").GetString());
        Assert.Contains(WorkersSentence, workers.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Matches(@"│\s*lanes demo\s*│\s*warn\s*│\s*demo has 8 budget lanes", human);
        Assert.Matches(@"│\s*workers\s*│\s*warn\s*│", human);

        // The start-up logs: one warning each, naming the same figures.
        var serveWarnings = serveLogs.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Parallelism is capped", StringComparison.Ordinal)).ToList();
        var workerWarnings = workerLogs.Lines.Where(l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Parallelism is capped", StringComparison.Ordinal)).ToList();
        Assert.Contains(serveWarnings, l => l.Contains(LanesSentence, StringComparison.Ordinal));
        Assert.Contains(workerWarnings, l => l.Contains(LanesSentence, StringComparison.Ordinal));
        Assert.Contains(workerWarnings, l => l.Contains(WorkersSentence.Replace("per worker process", "run in this process", StringComparison.Ordinal), StringComparison.Ordinal));

        ScenarioFigures.Record(output, "R9", new
        {
            actionPartitions = Partitions,
            lanes = 8,
            consumersPerWorker = Consumers,
            doctorExit = code,
            doctorLanes = $"{lanes.GetProperty("status").GetString()}: {lanes.GetProperty("detail").GetString()}",
            doctorWorkers = $"{workers.GetProperty("status").GetString()}: {workers.GetProperty("detail").GetString()}",
            serveStartupWarnings = serveWarnings.Count,
            workerStartupWarnings = workerWarnings.Count,
            workerStartupLog = workerWarnings.Select(l => l.Split(" [", 2)[0]).ToArray(),
            seconds = Math.Round(watch.Elapsed.TotalSeconds, 1),
        });
    }

    private static JsonElement Row(JsonElement report, string check) =>
        report.GetProperty("checks").EnumerateArray().Single(r => r.GetProperty("check").GetString() == check);
}
