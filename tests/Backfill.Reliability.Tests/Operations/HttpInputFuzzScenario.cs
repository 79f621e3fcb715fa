using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Backfill.Messaging.Clients;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Operations;

/// <summary>
/// "input": fuzzed bodies to every POST route and fuzzed dates (reversed, impossible, year 1 and 9999, a DST gap at
/// midnight). Every answer is a 4xx problem detail (never a 500, never a stack trace or an exception's name), and nothing
/// is written: no job in LiteDB, no message on any Kafka topic. The dates at the edges of the calendar run again in
/// zones of both signs of offset, up to ±14 h, estimated and created: a day's start there is another instant.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HttpInputFuzzScenario(ITestOutputHelper output)
{
    private const int CasesPerRoute = 60;

    [Fact]
    public async Task FuzzedBodiesAndDates_AreRefusedWithProblemDetails_NothingWritten()
    {
        // São Paulo's clocks skipped midnight on 2018-11-04: a day that starts at 01:00.
        // No worker: the first job's released slice waits on the action topic, and with Backfill:MaxActionLag 0 no job
        // releases anything after it, so a fuzzed body that is a valid request can write a job to LiteDB but nothing to Kafka.
        await using var harness = await ServerHarness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Backfill:TimeZone"] = "America/Sao_Paulo",
            ["Backfill:MaxActionLag"] = "0",
        });
        output.WriteLine($"seed {Fuzz.Seed}");
        var random = new Random(Fuzz.Seed);

        // A job to aim the job routes at, paused so that nothing that slips through can make it release.
        var job = await JobsApi.CreateAsync(harness, ServerHarness.Shops, new DateOnly(2024, 3, 1), 2, "1.00:00:00", 1);
        await Poll.Eventually(async () => (await harness.Http.SlicesAsync(job)).Any(s => s.State != "pending"), TimeSpan.FromSeconds(10), "the first release");
        (await harness.Http.PostAsync($"/api/jobs/{job}/pause", null)).Dispose();
        var before = await WrittenAsync(harness);

        // Creating bodies are dry runs; a mutation can still make a valid request that creates a job ("dryRun": null), counted.
        var routes = new (string Path, string Valid)[]
        {
            ("/api/jobs", """{"platform": "demo", "shops": ["30001"], "from": "2024-03-01", "to": "2024-03-03", "releaseEvery": "00:00:01", "slicesPerRelease": 2, "allowOverlap": true, "dryRun": true}"""),
            ("/api/jobs", """{"dryRun": true, "platform": "demo", "shops": ["30001", "30002"], "days": 3}"""),
            ($"/api/jobs/{job}/retry", """{"slice": "x"}"""),
            ($"/api/jobs/{job}/settings", """{"releaseEvery": "1.00:00:00", "slicesPerRelease": 2}"""),
            ("/api/platforms/demo/limit", """{"permitsPerSecond": 10}"""),

            // The harness has no Backfill:SecretKey: a body that is still a valid shop is refused (409), nothing stored.
            ("/api/platforms/demo/shops", """{"shop": "1001", "refreshToken": "fuzz-refresh-token", "accessToken": "fuzz-access-token", "name": "North store"}"""),
        };
        var answers = new Dictionary<int, int>();
        var bytes = 0L;
        var limitsSet = 0;
        var created = 0;
        foreach (var (path, valid) in routes)
        {
            for (var i = 0; i < CasesPerRoute; i++)
            {
                var body = Fuzz.Mutate(random, valid);
                var code = await PostAsync(harness, path, body);
                answers[code] = answers.GetValueOrDefault(code) + 1;
                bytes += Encoding.UTF8.GetByteCount(body);
                limitsSet += path.EndsWith("/limit", StringComparison.Ordinal) && code == 200 ? 1 : 0;
                created += code == 201 ? 1 : 0;
            }
        }

        // A valid body as a web page of another site could send it: not JSON, or from another origin. Refused, all of it.
        var crossSite = 0;
        foreach (var (path, valid) in routes)
        {
            foreach (var (contentType, origin) in new[] { ("text/plain;charset=UTF-8", null), ("application/x-www-form-urlencoded", null), (null, null), ("application/json", "http://evil.example"), ("application/json", "null") })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(valid.Replace("\"dryRun\": true", "\"dryRun\": false", StringComparison.Ordinal))) };
                if (contentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }

                if (origin is not null)
                {
                    request.Headers.TryAddWithoutValidation("Origin", origin);
                }

                using var response = await harness.Http.SendAsync(request);
                var code = (int)response.StatusCode;
                Assert.True(code == (origin is null ? 415 : 403), $"POST {path} as {contentType ?? "no content type"} from {origin ?? "no origin"} answered {code}");
                answers[code] = answers.GetValueOrDefault(code) + 1;
                crossSite++;
            }
        }

        // The routes without a body: fuzzed job ids and platform names.
        foreach (var verb in new[] { "pause", "resume", "cancel", "retry", "settings" })
        {
            for (var i = 0; i < CasesPerRoute / 4; i++)
            {
                var raw = random.Next(3) == 0 ? Fuzz.Oddity(random) : Fuzz.Mutate(random, job);
                var id = Uri.EscapeDataString(raw[..Math.Min(300, raw.Length)]);
                var code = id.Length == 0 || id == job ? 404 : await PostAsync(harness, $"/api/jobs/{id}/{verb}", "", kestrelMayRefuse: true);
                answers[code] = answers.GetValueOrDefault(code) + 1;
            }
        }

        // Dates: refused with a reason, or (the DST gap, year-long ranges) answered; never a 500.
        var dates = new (string From, string To, bool Valid)[]
        {
            ("2024-03-05", "2024-03-01", false), ("2024-02-30", "2024-03-02", false), ("2023-02-29", "2023-03-01", false),
            ("0001-01-01", "0001-01-03", false), ("9999-12-30", "9999-12-31", true), ("9999-12-31", "10000-01-01", false),
            ("2024-03-01", "2024-03-01", false), ("2024-3-1", "2024-03-02", false), ("2018-11-03", "2018-11-06", true),
            ("2019-02-16", "2019-02-18", true), ("01/03/2024", "02/03/2024", false), ("2024-03-01T00:00:00Z", "2024-03-02", false),
        };
        var dateAnswers = new List<string>();
        foreach (var (from, to, valid) in dates)
        {
            var body = $$"""{"platform": "demo", "shops": ["30001"], "from": "{{from}}", "to": "{{to}}", "dryRun": true}""";
            var code = await PostAsync(harness, "/api/jobs", body);
            dateAnswers.Add($"{from}..{to}: {code}");
            Assert.True(valid ? code == 200 : code == 400, $"seed {Fuzz.Seed}: {body} answered {code}");
        }

        var after = await WrittenAsync(harness);
        Assert.DoesNotContain(500, answers.Keys);
        Assert.Equal(before.Jobs + created, after.Jobs);
        Assert.Equal(before.Data, after.Data);
        // A fuzzed limit that is still a valid one is set, and that goes out on the control topic; nothing else does.
        Assert.Equal(before.Control + limitsSet, after.Control);

        ScenarioFigures.Record(output, "input", new
        {
            seed = Fuzz.Seed,
            httpCases = routes.Length * CasesPerRoute,
            httpBodyBytes = bytes,
            answers = answers.OrderBy(a => a.Key).ToDictionary(a => a.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), a => a.Value),
            validCreatesAccepted = created,
            dataMessagesWritten = after.Data - before.Data,
            validLimitsSet = limitsSet,
            crossSiteRefused = crossSite,
            dates = dateAnswers,
        });
    }

    [Theory]
    [InlineData("Asia/Taipei", 1)]
    [InlineData("Pacific/Kiritimati", 15)]
    [InlineData("America/Los_Angeles", 1)]
    [InlineData("Pacific/Pago_Pago", 7)]
    [InlineData("Etc/GMT+12", 1)]
    [InlineData("UTC", 15)]
    public async Task DatesAtTheEdgesOfTheCalendar_InZonesOfBothSigns_AreAnsweredOrRefused_NeverA500(string zone, int sliceDays)
    {
        await using var harness = await ServerHarness.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Backfill:TimeZone"] = zone,
            ["Backfill:SliceDays"] = sliceDays.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Backfill:MaxActionLag"] = "0",
            ["Backfill:ReleaseEvery"] = "1.00:00:00",
        });
        var random = new Random(Fuzz.Seed);
        var ranges = new List<(string From, string To)>
        {
            ("0001-01-01", "0001-01-02"), ("0001-01-01", "0001-01-03"), ("0001-01-02", "0001-01-03"), ("0001-01-02", "0001-01-31"),
            ("9999-12-30", "9999-12-31"), ("9999-12-01", "9999-12-31"), ("9999-12-31", "9999-12-31"), ("9999-12-31", "10000-01-01"),
            ("9990-01-01", "9999-12-31"), ("0001-01-01", "0011-01-01"),
        };
        foreach (var edge in new[] { DateOnly.MinValue, DateOnly.MaxValue })
        {
            for (var i = 0; i < 20; i++)
            {
                var from = edge.AddDays(edge == DateOnly.MinValue ? random.Next(0, 40) : -random.Next(0, 40));
                var to = from.AddDays(Math.Min(random.Next(1, 30), DateOnly.MaxValue.DayNumber - from.DayNumber));
                ranges.Add((Day(from), Day(to)));
            }
        }

        var answers = new Dictionary<int, int>();
        foreach (var (from, to) in ranges)
        {
            var valid = DateOnly.TryParseExact(from, "yyyy-MM-dd", out var f) && DateOnly.TryParseExact(to, "yyyy-MM-dd", out var t)
                && f >= new DateOnly(1, 1, 2) && t > f && t.DayNumber - f.DayNumber <= 3660;
            foreach (var dryRun in new[] { true, false })
            {
                var body = $$"""{"platform": "demo", "shops": ["30001"], "from": "{{from}}", "to": "{{to}}", "dryRun": {{(dryRun ? "true" : "false")}}, "allowOverlap": true}""";
                var code = await PostAsync(harness, "/api/jobs", body);
                answers[code] = answers.GetValueOrDefault(code) + 1;
                Assert.True(valid ? code == (dryRun ? 200 : 201) : code == 400, $"seed {Fuzz.Seed}, {zone}: {body} answered {code}");
            }
        }

        Assert.DoesNotContain(500, answers.Keys);
        ScenarioFigures.Record(output, $"input-zone-{zone.Replace('/', '-')}", new
        {
            seed = Fuzz.Seed,
            zone,
            sliceDays,
            ranges = ranges.Count,
            answers = answers.OrderBy(a => a.Key).ToDictionary(a => a.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), a => a.Value),
        });
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Posts one fuzzed body and checks the answer is a refusal a person can read: a problem detail, no trace.</summary>
    /// <param name="kestrelMayRefuse">A fuzzed path: Kestrel itself refuses some (a NUL byte) with a bare 400 before any route runs.</param>
    private static async Task<int> PostAsync(ServerHarness harness, string path, string body, bool kestrelMayRefuse = false)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await harness.Http.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        var code = (int)response.StatusCode;
        var what = $"seed {Fuzz.Seed}: POST {path} {Fuzz.Describe(body)} answered {code} {Fuzz.Describe(text)}";
        Assert.True(code < 500, what);
        Assert.False(Fuzz.LooksLikeAStackTrace(text), what);
        if (code >= 400 && code != (int)HttpStatusCode.NotFound && !(kestrelMayRefuse && code == 400 && text.Length == 0))
        {
            Assert.True(response.Content.Headers.ContentType?.MediaType == "application/problem+json", what);
            var problem = JsonSerializer.Deserialize<JsonElement>(text);
            Assert.True(problem.TryGetProperty("detail", out var detail) && !string.IsNullOrWhiteSpace(detail.GetString()), what);
        }

        return code;
    }

    /// <summary>What the fuzz must not change: jobs in LiteDB and messages on every topic.</summary>
    private static async Task<(int Jobs, long Data, long Control)> WrittenAsync(ServerHarness harness)
    {
        var jobs = (await harness.Http.GetFromJsonAsync<JsonElement>("/api/jobs")).GetProperty("jobs").GetArrayLength();
        var clients = harness.App.Services.GetRequiredService<KafkaClients>();
        var topics = harness.App.Services.GetRequiredService<KafkaConnection>().Topics;
        var data = new[] { topics.Actions, topics.Progress, topics.Orders }.Sum(t => Watermarks.High(clients, t).Values.Sum());
        return (jobs, data, Watermarks.High(clients, topics.Control).Values.Sum());
    }
}
