using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Backfill.Core.Secrets;
using Backfill.Messaging;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Reliability.Tests.Kafka;
using Backfill.Server.Jobs;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Crash;

/// <summary>
/// tokens: access tokens that live seconds through a backfill many times longer, with the product as separate processes
/// (dev-kafka, <c>platform-sim --token-ttl</c>, serve, three workers, one SIGKILLed mid-run). The scheduler alone refreshes
/// each shop a quarter of a token's life early, stores the rotated refresh token before announcing the access token, and
/// every worker signs with the newest: every slice succeeds, no refresh is refused (no two refreshers), and no secret is
/// in any log, topic, status answer or LiteDB file in plain text.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class TokenRotationTests(ITestOutputHelper output)
{
    private const double Rate = 20;
    private const int PageSize = 20;
    private static readonly TimeSpan Life = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Cadence = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task TokensLivingSecondsThroughALongBackfill_ServeAndThreeWorkersOneKilled_EverySliceSucceeds_NoSecretAnywhere()
    {
        var clock = Stopwatch.StartNew();
        var job = await CrashJob.ForAsync(shops: 2, new DateOnly(2024, 1, 1), days: 12);
        var key = SecretBox.NewKey();
        var settings = new Dictionary<string, string>
        {
            ["Backfill:SecretKey"] = key,
            ["Worker:TokenWait"] = "00:01:00",
            ["Worker:PagesPerStep"] = "1",
            [$"Platforms:{ProcessFleet.Platform}:PageSize"] = $"{PageSize}",
        };
        foreach (var shop in job.Shops)
        {
            settings[$"Platforms:{ProcessFleet.Platform}:Shops:{shop}:RefreshToken"] = $"tokens-refresh-secret-{shop}";
        }

        var fleet = await ProcessFleet.StartAsync("tokens", job.Shops, Rate, settings, "--token-ttl", Life.ToString("c", CultureInfo.InvariantCulture));
        var passed = false;
        try
        {
            var serving = fleet.ServeAsync("serve", "serve");
            var starting = new[] { fleet.WorkerAsync("worker-1"), fleet.WorkerAsync("worker-2"), fleet.WorkerAsync("worker-3") };
            var (serve, api) = await serving;
            var workers = await Task.WhenAll(starting);
            var victim = workers[0];
            var id = await fleet.CreateJobAsync(api, job.Body(Cadence, slicesPerRelease: 2));

            // Mid-run: tokens have rotated a few times and slices are in flight.
            await fleet.Eventually(async () => (await fleet.SimulatorStatsAsync()).Refreshes >= 3 * job.Shops.Count, TimeSpan.FromSeconds(90), "tokens to rotate a few times");
            await fleet.Eventually(async () => (await fleet.JobAsync(api, id)).Slices.Succeeded >= 4, TimeSpan.FromSeconds(60), "slices to succeed");
            victim.Kill();
            var killedAt = DateTime.Now;
            Assert.True(await victim.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None), "worker-1 survived SIGKILL");

            JobStatus status = null!;
            await fleet.Eventually(async () => (status = await fleet.JobAsync(api, id)).IsFinished(), TimeSpan.FromSeconds(240), $"job {id} to finish");
            await fleet.DrainSinkAsync(TimeSpan.FromSeconds(30));
            var platform = await fleet.SimulatorStatsAsync();

            // What an operator sees, while serve runs.
            var seen = new Dictionary<string, byte[]>();
            foreach (var path in new[] { $"api/jobs/{id}", $"api/jobs/{id}/slices", "api/jobs", "api/platforms", "metrics" })
            {
                seen[$"GET /{path}"] = await fleet.Http.GetByteArrayAsync(new Uri(api, path));
            }

            var survivors = workers.Skip(1).ToList();
            await serve.StopAsync(TimeSpan.FromSeconds(20));
            var announced = Versions(Log("serve"), AnnouncedLine());
            var last = announced.GroupBy(v => v.Shop).ToDictionary(g => g.Key, g => g.Max(v => v.Version));

            // The survivors hear the last announcement before they stop.
            await fleet.Eventually(
                () => Task.FromResult(survivors.All(w => last.All(l => Versions(Log(w.Name), TakenLine()).Any(v => v.Shop == l.Key && v.Version == l.Value)))),
                TimeSpan.FromSeconds(20),
                "every survivor to take the last tokens");
            foreach (var survivor in survivors)
            {
                await survivor.StopAsync(TimeSpan.FromSeconds(20));
            }

            Assert.Equal("succeeded", status.State);
            Assert.Equal(job.Slices, status.Slices.Succeeded);
            var (unique, duplicates) = job.Sink(fleet.DatabasePath());
            Assert.Equal(job.ExpectedOrders, unique);
            Assert.Equal(0, platform.RefusedRefreshes);
            Assert.True(platform.ExpiredAnswers <= 5, $"{platform.ExpiredAnswers} calls answered expired");

            // Every version the scheduler announced was taken by every worker alive then, and signed with by the fleet.
            var takenBy = workers.ToDictionary(w => w.Name, w => Versions(Log(w.Name), TakenLine()).Select(v => (v.Shop, v.Version)).ToHashSet());
            var signedBy = workers.ToDictionary(w => w.Name, w => Versions(Log(w.Name), SignedLine()).Select(v => (v.Shop, v.Version)).ToHashSet());
            foreach (var version in announced)
            {
                foreach (var worker in workers.Where(w => w != victim || version.At < killedAt.AddSeconds(-1)))
                {
                    Assert.Contains((version.Shop, version.Version), takenBy[worker.Name]);
                }
            }

            // Issued two lives before the job's end: a shop's calls may end a few seconds before the job's (its other shop's).
            var issuedWhileCalling = announced.Where(v => v.At <= FinishedAt(status).AddSeconds(-2 * Life.TotalSeconds)).ToList();
            var signedByAll = issuedWhileCalling.Count(v => survivors.All(w => signedBy[w.Name].Contains((v.Shop, v.Version))));
            var signedByAny = issuedWhileCalling.Count(v => signedBy.Values.Any(s => s.Contains((v.Shop, v.Version))));
            output.WriteLine(string.Join("\n", workers.Select(w => $"{w.Name}: signed with {string.Join(" ", signedBy[w.Name].OrderBy(v => v))}")));
            Assert.Equal(issuedWhileCalling.Count, signedByAny);

            // No secret in plain text anywhere: the configured ones, the key, and any token the simulator issued (by its prefix).
            var secrets = new List<string> { ProcessFleet.PartnerKey, key, "sim-access-", "sim-refresh-" };
            secrets.AddRange(job.Shops.Select(s => fleet.Settings[$"Platforms:{ProcessFleet.Platform}:Shops:{s}:AccessToken"]));
            secrets.AddRange(job.Shops.Select(s => settings[$"Platforms:{ProcessFleet.Platform}:Shops:{s}:RefreshToken"]));
            foreach (var file in Directory.EnumerateFiles(fleet.Children.LogDirectory))
            {
                seen[$"log {Path.GetFileName(file)}"] = Read(file);
            }

            using var connection = KafkaConnection.Open(new KafkaOptions { BootstrapServers = fleet.BootstrapServers });
            var clients = new KafkaClients(connection, new KafkaCounters(), NullLoggerFactory.Instance);
            var topics = connection.Topics;
            var control = TopicReader.All(clients, topics.Control);
            foreach (var topic in new[] { topics.Actions, topics.Orders, topics.Progress, topics.DeadLetters })
            {
                seen[$"topic {topic}"] = Bytes(TopicReader.All(clients, topic));
            }

            seen[$"topic {topics.Control}"] = Bytes(control);
            var dataFolder = Path.GetDirectoryName(fleet.DatabasePath())!;
            foreach (var file in Directory.EnumerateFiles(dataFolder, "*", SearchOption.AllDirectories))
            {
                seen[$"file {Path.GetFileName(file)}"] = Read(file);
            }

            // The scan sees what is there: sealed tokens on the control topic, the shops' records in LiteDB.
            var tokensOnTopic = control.Select(m => MessageCodec.Decode<ControlMessage>(m.Message.Value)).Count(m => m.Kind == ControlKind.Token);
            Assert.True(tokensOnTopic >= announced.Count, $"{tokensOnTopic} token messages on the control topic for {announced.Count} announcements");
            Assert.Contains(seen.Where(s => s.Key.StartsWith("file ", StringComparison.Ordinal)), s => s.Value.AsSpan().IndexOf(Encoding.UTF8.GetBytes($"crash:{job.Shops[0]}")) >= 0);
            var found = seen.SelectMany(s => secrets.Where(secret => s.Value.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) >= 0).Select(secret => $"{s.Key}: {secret[..Math.Min(12, secret.Length)]}…")).ToList();
            Assert.True(found.Count == 0, "secrets found: " + string.Join("; ", found));

            ScenarioFigures.Record(output, "tokens", new
            {
                processes = "dev-kafka, platform-sim --token-ttl 00:00:05, serve, 3 workers; worker-1 SIGKILLed",
                tokenLifeSeconds = Life.TotalSeconds,
                slices = job.Slices,
                succeeded = status.Slices.Succeeded,
                ordersExpected = job.ExpectedOrders,
                ordersUnique = unique,
                duplicatesAbsorbed = duplicates,
                jobSeconds = Math.Round((FinishedAt(status) - CreatedAt(status)).TotalSeconds, 1),
                tokenLivesInTheJob = Math.Round((FinishedAt(status) - CreatedAt(status)).TotalSeconds / Life.TotalSeconds, 1),
                refreshes = platform.Refreshes,
                refusedRefreshes = platform.RefusedRefreshes,
                answeredExpired = platform.ExpiredAnswers,
                versionsAnnounced = announced.Count,
                versionsSignedWithByEverySurvivor = $"{signedByAll}/{issuedWhileCalling.Count}",
                callsAccepted = platform.Accepted,
                callsRefused = platform.Refused,
                peakCallsPerSecond = platform.PeakCallsPerSecond,
                limitPerSecond = Rate,
                secretsSearched = secrets.Count,
                secretsFound = found.Count,
                bytesScanned = seen.Values.Sum(v => v.LongLength),
                seconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
            });
            passed = true;
        }
        finally
        {
            await fleet.DisposeAsync();
            if (passed)
            {
                fleet.DeleteFolder();
            }
            else
            {
                output.WriteLine($"logs kept in {fleet.Children.LogDirectory}");
            }
        }

        string Log(string name) => Encoding.UTF8.GetString(Read(Path.Combine(fleet.Children.LogDirectory, $"{name}.stderr.log")));
    }

    private static DateTimeOffset FinishedAt(JobStatus status) => status.FinishedAt!.Value;

    private static DateTimeOffset CreatedAt(JobStatus status) => status.CreatedAt;

    private static byte[] Read(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static byte[] Bytes(IEnumerable<Confluent.Kafka.ConsumeResult<string, byte[]>> records)
    {
        using var bytes = new MemoryStream();
        foreach (var record in records)
        {
            bytes.Write(Encoding.UTF8.GetBytes(record.Message.Key ?? ""));
            bytes.Write(record.Message.Value ?? []);
            foreach (var header in record.Message.Headers ?? [])
            {
                bytes.Write(Encoding.UTF8.GetBytes(header.Key));
                bytes.Write(header.GetValueBytes() ?? []);
            }
        }

        return bytes.ToArray();
    }

    /// <summary>(shop, version, time of the line) of each line the pattern matches; the log's times are local, seconds.</summary>
    private static List<(string Shop, long Version, DateTime At)> Versions(string log, Regex line) =>
        [.. line.Matches(log).Select(m => (m.Groups["shop"].Value, long.Parse(m.Groups["version"].Value, CultureInfo.InvariantCulture), DateTime.Today + TimeSpan.Parse(m.Groups["at"].Value, CultureInfo.InvariantCulture)))];

    [GeneratedRegex(@"^(?<at>\d\d:\d\d:\d\d) .*Shop (?<shop>\d+) of crash: access token version (?<version>\d+) announced", RegexOptions.Multiline)]
    private static partial Regex AnnouncedLine();

    [GeneratedRegex(@"^(?<at>\d\d:\d\d:\d\d) .*shop (?<shop>\d+)'s access token version (?<version>\d+) taken", RegexOptions.Multiline)]
    private static partial Regex TakenLine();

    [GeneratedRegex(@"^(?<at>\d\d:\d\d:\d\d) .*calls for shop (?<shop>\d+) are signed with its access token version (?<version>\d+)", RegexOptions.Multiline)]
    private static partial Regex SignedLine();
}
