using Backfill.Hosting;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace Backfill.Reliability.Tests.Operations;

/// <summary>
/// "input": fuzzed command lines (verbs, options, values, dates, zones) and configuration values. A usage mistake exits 2
/// with a sentence on stderr; nothing prints a stack trace or an exception's name; bad configuration is reported by
/// <see cref="ConfigurationCheck"/> naming the key, never thrown. The verbs that talk to a scheduler are pointed at a
/// port where nothing listens, so a command line that is valid exits 1 ("unreachable") and writes nothing anywhere.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CliInputFuzzScenario(ITestOutputHelper output)
{
    private const int Cases = 300;

    // Long-running verbs (demo, run, serve, worker, dev-kafka, platform-sim) and doctor's 5 s probe are left out: a valid
    // fuzzed line would start them. Their options share the parsers exercised here.
    private static readonly string[] Verbs = ["start", "estimate", "status", "list", "pause", "resume", "cancel", "retry", "set", "limit", "shops", "nosuchverb", "", "--help", "-x"];

    private static readonly string[] Options =
    [
        "--platform", "--shop", "--from", "--to", "--days", "--release-every", "--slices-per-release", "--allow-overlap", "--json", "--watch",
        "--state", "--slice", "--reset", "--dry-run", "--token", "--server", "--nope", "-", "--", "--Backfill:TimeZone", "--Backfill:ReleaseEvery",
        "--Kafka:Partitions:Actions", "--Worker:Concurrency", "--Platforms:demo:Kind", "--Platforms:demo:RateLimit:PermitsPerSecond",
    ];

    private static readonly string[] Values =
    [
        "demo", "10001", "2024-03-01", "2024-03-05", "2024-02-30", "2023-02-29", "0001-01-01", "9999-12-31", "10000-01-01", "2024-13-01",
        "00:00:01", "-00:00:01", "1.00:00:00", "99999999.00:00:00", "abc", "-1", "0", "99999999999999999999", "1e400", "NaN", "running",
        "Mars/Olympus", "America/Sao_Paulo", "Etc/GMT+15", "", " ", "💥", "../../etc/passwd", "%00", "--json",
    ];

    [Fact]
    public async Task FuzzedCommandLines_ExitWithAClearErrorAndNoStackTrace()
    {
        output.WriteLine($"seed {Fuzz.Seed}");
        var random = new Random(Fuzz.Seed);
        var server = CliRunner.Unreachable();
        var codes = new Dictionary<int, int>();
        var usage = 0;
        for (var i = 0; i < Cases; i++)
        {
            var args = new List<string> { Verbs[random.Next(Verbs.Length)] };
            if (args[0] is "status" or "pause" or "resume" or "cancel" or "retry" or "set" && random.Next(3) > 0)
            {
                args.Add(Fuzz.Oddity(random));
            }

            for (var n = random.Next(0, 7); n > 0; n--)
            {
                args.Add(Options[random.Next(Options.Length)]);
                if (random.Next(4) > 0)
                {
                    args.Add(random.Next(5) == 0 ? Fuzz.Mutate(random, Values[random.Next(Values.Length)] + "x") : Values[random.Next(Values.Length)]);
                }
            }

            args.AddRange(["--server", server, "--Kafka:BootstrapServers=127.0.0.1:1"]);
            var (code, stdout, stderr) = await CliRunner.RunAsync([.. args]);
            var what = $"seed {Fuzz.Seed}, case {i}: backfill {string.Join(' ', args.Select(a => $"'{a}'"))} exited {code}\nstdout: {stdout}\nstderr: {stderr}";
            codes[code] = codes.GetValueOrDefault(code) + 1;
            Assert.True(code is 0 or 1 or 2, what);
            Assert.False(Fuzz.LooksLikeAStackTrace(stdout + stderr), what);
            if (code == 2)
            {
                usage++;
                Assert.False(string.IsNullOrWhiteSpace(stderr), what);
            }

            // Only help and a valid offline verb may succeed; nothing reaches a scheduler.
            Assert.True(code != 0 || args.Contains("--help") || args[0].Length == 0, what);
        }

        // Dates and zones named on purpose: each is a usage mistake the CLI itself catches, with a sentence that says
        // which (a reversed range is the scheduler's to judge: the HTTP scenario shows its 400, which the CLI exits 2 on).
        var dated = new (string[] Args, string Says)[]
        {
            (["start", "--platform", "demo", "--shop", "10001", "--from", "2024-02-30", "--to", "2024-03-02"], "2024-02-30"),
            (["estimate", "--platform", "demo", "--shop", "10001", "--days", "-3"], "days"),
            (["start", "--platform", "demo", "--shop", "10001", "--days", "3", "--release-every", "-00:00:01"], "release-every"),
            (["start", "--platform", "demo", "--shop", "10001", "--days", "3", "--Backfill:TimeZone=Mars/Olympus"], "Backfill:TimeZone"),
            // Numbers that do not parse once crashed a validator with a stack trace (exit 134).
            (["start", "--platform", "demo", "--shop", "10001", "--days", "abc"], "--days"),
            (["start", "--platform", "demo", "--shop", "10001", "--days", "3", "--slices-per-release", "1e400"], "--slices-per-release"),
            (["limit", "demo", "ten"], "'ten'"),
        };
        foreach (var (args, says) in dated)
        {
            var (code, stdout, stderr) = await CliRunner.RunAsync([.. args, "--server", server]);
            var what = $"seed {Fuzz.Seed}: backfill {string.Join(' ', args)} exited {code}\nstdout: {stdout}\nstderr: {stderr}";
            Assert.True(code == 2, what);
            Assert.Contains(says, stderr, StringComparison.Ordinal);
            Assert.False(Fuzz.LooksLikeAStackTrace(stdout + stderr), what);
        }

        ScenarioFigures.Record(output, "input-cli", new
        {
            seed = Fuzz.Seed,
            cliCases = Cases + dated.Length,
            exitCodes = codes.OrderBy(c => c.Key).ToDictionary(c => c.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), c => c.Value),
            usageErrorsWithMessage = usage,
            stackTraces = 0,
        });
    }

    [Fact]
    public void FuzzedConfigurationValues_AreReportedNamingTheKey_NeverThrown()
    {
        var random = new Random(Fuzz.Seed);
        var keys = new[]
        {
            "Backfill:ReleaseEvery", "Backfill:TimeZone", "Backfill:SliceDays", "Backfill:MaxInFlightPerPlatform", "Backfill:SlicesPerRelease",
            "Kafka:Partitions:Actions", "Kafka:GroupProtocol", "Kafka:SessionTimeout", "Worker:Concurrency", "Worker:PagesPerStep",
            "Platforms:demo:Kind", "Platforms:demo:RateLimit:PermitsPerSecond", "Platforms:demo:PageSize", "Platforms:demo:Timeout",
            "Platforms:demo:Retry:MaxAttempts", "Platforms:demo:BaseUrl", "Schedules:0:Cron",
        };
        string[] bad = ["abc", "-1", "-00:00:01", "1e400", "NaN", "", "Mars/Olympus", "99999999999999999999", "ftp://x", "☃", "00:00:00", "0"];
        var reported = 0;
        for (var i = 0; i < 200; i++)
        {
            var key = keys[random.Next(keys.Length)];
            var value = bad[random.Next(bad.Length)];
            var settings = Valid();
            settings[key] = value;
            if (key.StartsWith("Schedules", StringComparison.Ordinal))
            {
                settings["Schedules:0:Name"] = "n";
                settings["Schedules:0:Platform"] = "demo";
                settings["Schedules:0:Shops:0"] = "10001";
            }

            var errors = ConfigurationCheck.Validate(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
            var what = $"seed {Fuzz.Seed}: {key}={value} gave [{string.Join(" | ", errors)}]";
            Assert.All(errors, e => Assert.False(Fuzz.LooksLikeAStackTrace(e), what));
            if (errors.Count > 0)
            {
                reported++;
                Assert.True(errors.Any(e => e.Contains(key.Split(':')[^1], StringComparison.OrdinalIgnoreCase)), what);
            }
        }

        // An unknown platform kind and an empty platform or shop key are refused too.
        foreach (var (key, value) in new[] { ("Platforms:demo:Kind", "lazada-unknown"), ("Platforms::Kind", "shopee"), ("Platforms:demo:Shops::AccessToken", "t") })
        {
            var settings = Valid();
            settings[key] = value;
            var errors = ConfigurationCheck.Validate(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
            Assert.True(errors.Count > 0, $"{key}={value} was accepted");
            Assert.All(errors, e => Assert.False(Fuzz.LooksLikeAStackTrace(e), e));
        }

        ScenarioFigures.Record(output, "input-config", new { seed = Fuzz.Seed, cases = 203, reported });
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["Platforms:demo:Kind"] = "shopee",
        ["Platforms:demo:BaseUrl"] = "http://127.0.0.1:9/",
        ["Platforms:demo:PartnerId"] = "1",
        ["Platforms:demo:PartnerKey"] = "k",
        ["Platforms:demo:RateLimit:PermitsPerSecond"] = "20",
        ["Platforms:demo:Shops:10001:AccessToken"] = "t",
    };
}
