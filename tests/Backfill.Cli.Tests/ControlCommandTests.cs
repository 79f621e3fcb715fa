using System.Net.Http.Json;
using System.Text.Json;

namespace Backfill.Cli.Tests;

public sealed class ControlCommandTests
{
    [Theory]
    [InlineData("list")]
    [InlineData("status")]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("cancel")]
    [InlineData("retry")]
    [InlineData("set")]
    [InlineData("start")]
    public async Task Help_HasExamplesAndTheScriptingOptions(string verb)
    {
        var (code, stdout, _) = await CliRunner.RunAsync(verb, "--help");

        Assert.Equal(0, code);
        Assert.Contains("Examples:", stdout, StringComparison.Ordinal);
        Assert.Contains($"backfill {verb} ", stdout, StringComparison.Ordinal);
        Assert.Contains("--json", stdout, StringComparison.Ordinal);
        Assert.Contains("--server", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("cancel")]
    [InlineData("retry")]
    [InlineData("set")]
    [InlineData("start")]
    [InlineData("limit")]
    [InlineData("estimate")]
    public async Task Help_ChangesTakeAToken(string verb)
    {
        var (_, stdout, _) = await CliRunner.RunAsync(verb, "--help");

        Assert.Contains("--token", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("cancel")]
    [InlineData("retry")]
    [InlineData("set --release-every 00:01:00")]
    public async Task Command_WithoutJob_Exits2(string args)
    {
        var (code, _, stderr) = await CliRunner.RunAsync(args.Split(' '));

        Assert.Equal(2, code);
        Assert.Contains($"Try 'backfill {args.Split(' ')[0]} --help'.", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("set j", "Give --release-every, --slices-per-release, --priority or several.")]
    [InlineData("set j --priority urgent", "--priority 'urgent' is not a priority; use high, normal or low.")]
    [InlineData("set j --release-every 0", "--release-every: '0' is not a cadence: write auto or HH:MM:SS")]
    [InlineData("set j --release-every 00:01:00 --slices-per-release 0", "--slices-per-release must be at least 1.")]
    [InlineData("list --state done", "Argument 'done' not recognized. Must be one of:")]
    public async Task BadUsage_Exits2AndSaysWhy(string args, string error)
    {
        var (code, _, stderr) = await CliRunner.RunAsync(args.Split(' '));

        Assert.Equal(2, code);
        Assert.Contains(error, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("list")]
    [InlineData("pause j")]
    [InlineData("cancel j")]
    [InlineData("retry j")]
    [InlineData("set j --release-every 00:01:00")]
    public async Task ServerUnreachable_Exits1WithOneClearLine(string args)
    {
        var server = CliRunner.Unreachable();

        var (code, stdout, stderr) = await CliRunner.RunAsync([.. args.Split(' '), "--server", server]);

        Assert.Equal((1, ""), (code, stdout));
        Assert.Equal($"error: cannot reach the scheduler at {server} (is 'backfill serve' running?)", stderr.Trim());
    }
}

/// <summary>The verbs against a real server (loopback, no token): exit codes and the exact <c>--json</c> shapes.</summary>
[Trait("Category", "Integration")]
public sealed class ControlCommandServerTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string[] StatusMembers = ["job", "state", "platform", "shops", "from", "to", "source", "createdAt", "finishedAt", "releaseEvery", "slicesPerRelease", "priority", "slices", "data", "timeField", "orders", "datasets", "platforms"];

    private string Server => fixture.Harness.BaseUrl.ToString();

    [Fact]
    public async Task List_Json_IsTheServersListOfStatuses_AndTheTableShowsEachJob()
    {
        var id = await StartAsync("2020-01-01", "2020-01-03");

        var (code, stdout, stderr) = await CliRunner.RunAsync("list", "--json", "--server", Server);
        var (humanCode, human, _) = await CliRunner.RunAsync("list", "--state", "running", "--server", Server);

        Assert.True(code == 0, stderr);
        var json = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout));
        Assert.Equal(["jobs"], json.EnumerateObject().Select(p => p.Name));
        var job = json.GetProperty("jobs").EnumerateArray().Single(j => j.GetProperty("job").GetString() == id);
        Assert.Equal(StatusMembers, job.EnumerateObject().Select(p => p.Name));
        Assert.Equal(0, humanCode);
        Assert.True(human.Contains(id, StringComparison.Ordinal), human);
        Assert.Matches($@"│ {id} │ api\s*│ demo\s*│ 30001, 30002 │ 2020-01-01 … 2020-01-03 │ running │\s*0% │\s*0 │", human);
    }

    [Fact]
    public async Task List_StateFilter_LeavesOtherJobsOut()
    {
        var running = await StartAsync("2020-02-01", "2020-02-03");
        var paused = await StartAsync("2020-02-03", "2020-02-05");
        Assert.Equal(0, (await CliRunner.RunAsync("pause", paused, "--server", Server)).Code);

        var (code, stdout, _) = await CliRunner.RunAsync("list", "--state", "paused", "--json", "--server", Server);

        Assert.Equal(0, code);
        var ids = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout)).GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("job").GetString()).ToList();
        Assert.Contains(paused, ids);
        Assert.DoesNotContain(running, ids);
    }

    [Fact]
    public async Task PauseResumeCancel_Json_IsTheJobsStatusAfterwards_AndHumanSaysWhatHappened()
    {
        var id = await StartAsync("2020-03-01", "2020-03-04");

        var pause = await CliRunner.RunAsync("pause", id, "--json", "--server", Server);
        var resume = await CliRunner.RunAsync("resume", id, "--server", Server);
        var cancel = await CliRunner.RunAsync("cancel", id, "--json", "--server", Server);

        Assert.True(pause.Code == 0, pause.Error);
        var paused = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(pause.Out));
        Assert.Equal(StatusMembers, paused.EnumerateObject().Select(p => p.Name));
        Assert.Equal("paused", paused.GetProperty("state").GetString());
        Assert.Equal(0, resume.Code);
        Assert.StartsWith($"Job {id} resumed: 1 slice(s) of each shop released every 00:00:00.2000000", resume.Out, StringComparison.Ordinal);
        Assert.Equal(0, cancel.Code);
        var cancelled = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(cancel.Out));
        Assert.Equal(StatusMembers, cancelled.EnumerateObject().Select(p => p.Name));
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Command_NotAllowedInTheJobsState_Exits1WithTheServersReason()
    {
        // Two days of each shop: a period releases one slice of each shop, so the second days stay pending for the hour.
        var id = await StartAsync("2020-04-01", "2020-04-03", releaseEvery: "01:00:00");
        var pending = (await fixture.Harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/slices?state=pending")).GetProperty("slices")[0].GetProperty("slice").GetString();

        var resume = await CliRunner.RunAsync("resume", id, "--server", Server);
        var retry = await CliRunner.RunAsync("retry", id, "--server", Server);
        var retrySlice = await CliRunner.RunAsync("retry", id, "--slice", pending!, "--server", Server);

        Assert.Equal((1, "", $"error: Job {id} is running, not paused."), (resume.Code, resume.Out, resume.Error.Trim()));
        Assert.Equal((1, $"error: Job {id} has no failed slices to retry."), (retry.Code, retry.Error.Trim()));

        // Pending or already released, depending on whether the job's first release came first: either way not failed.
        Assert.Equal(1, retrySlice.Code);
        Assert.Matches($"^error: Slice {System.Text.RegularExpressions.Regex.Escape(pending!)} is (pending|released); only failed slices are retried\\.$", retrySlice.Error.Trim());
    }

    [Fact]
    public async Task RetryForce_IsSentAsForce_AndNothingFinishedIsRefusedWithTheServersReason()
    {
        // Two days of each shop: a period releases one slice of each shop, so the second days stay pending for the hour.
        var id = await StartAsync("2020-04-11", "2020-04-13", releaseEvery: "01:00:00");
        var pending = (await fixture.Harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/slices?state=pending")).GetProperty("slices")[0].GetProperty("slice").GetString();

        var all = await CliRunner.RunAsync("retry", id, "--force", "--server", Server);
        var one = await CliRunner.RunAsync("retry", id, "--force", "--slice", pending!, "--server", Server);

        Assert.Equal((1, $"error: Job {id} has no failed or succeeded slices to re-run."), (all.Code, all.Error.Trim()));
        // The job's first release may take the slice meanwhile: pending or released, it is not finished.
        Assert.Equal(1, one.Code);
        Assert.Matches($"^error: Slice {System.Text.RegularExpressions.Regex.Escape(pending!)} is (pending|released); a forced retry re-runs failed and succeeded slices only\\.$", one.Error.Trim());
    }

    [Fact]
    public async Task Command_UnknownJobOrSlice_Exits1_AndABodyTheServerRefusesExits2()
    {
        var id = await StartAsync("2020-05-01", "2020-05-02");

        var unknown = await CliRunner.RunAsync("cancel", "no-such-job", "--server", Server);
        var unknownSlice = await CliRunner.RunAsync("retry", id, "--slice", "nope", "--server", Server);
        var blankSlice = await CliRunner.RunAsync("retry", id, "--slice", " ", "--server", Server);

        Assert.Equal((1, "error: No job 'no-such-job'."), (unknown.Code, unknown.Error.Trim()));
        Assert.Equal((1, $"error: Job {id} has no slice 'nope'."), (unknownSlice.Code, unknownSlice.Error.Trim()));
        Assert.Equal(2, blankSlice.Code);
        Assert.StartsWith("error: slice must be a slice id", blankSlice.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Set_Json_IsTheStatusWithTheNewCadence()
    {
        var id = await StartAsync("2020-06-01", "2020-06-02");

        var (code, stdout, stderr) = await CliRunner.RunAsync("set", id, "--release-every", "00:10:00", "--slices-per-release", "2", "--json", "--server", Server);
        var human = await CliRunner.RunAsync("set", id, "--release-every", "00:20:00", "--server", Server);

        Assert.True(code == 0, stderr);
        var status = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout));
        Assert.Equal(StatusMembers, status.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("00:10:00", 2), (status.GetProperty("releaseEvery").GetString(), status.GetProperty("slicesPerRelease").GetInt32()));
        Assert.Equal($"Job {id}: 2 slice(s) of each shop released every 00:20:00, priority normal, from its next release.", human.Out.Trim());
    }

    [Fact]
    public async Task Start_OverlappingAnActiveJob_Exits1NamingIt_AndAllowOverlapCreatesIt()
    {
        var first = await StartAsync("2020-07-01", "2020-07-08");

        var refused = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "30001", "--from", "2020-07-05", "--to", "2020-07-06", "--server", Server);
        var allowed = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "30001", "--from", "2020-07-05", "--to", "2020-07-06", "--allow-overlap", "--json", "--server", Server);

        Assert.Equal((1, ""), (refused.Code, refused.Out));
        Assert.Equal($"error: Refused: job {first} (running) already covers shop 30001 of demo for days [2020-07-05, 2020-07-06) (orders). Cancel it first, or allow the overlap (--allow-overlap, \"allowOverlap\": true).", refused.Error.Trim());
        Assert.True(allowed.Code == 0, allowed.Error);
        Assert.Equal(["job"], JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(allowed.Out)).EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task StatusWatch_JobAlreadyCancelled_EndsAtOnceWithExit1AndTheStatusJson()
    {
        var id = await StartAsync("2020-08-01", "2020-08-02");
        Assert.Equal(0, (await CliRunner.RunAsync("cancel", id, "--server", Server)).Code);

        var (code, stdout, _) = await CliRunner.RunAsync("status", id, "--watch", "--json", "--server", Server);

        Assert.Equal(1, code);
        var status = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout));
        Assert.Equal(StatusMembers, status.EnumerateObject().Select(p => p.Name));
        Assert.Equal("cancelled", status.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Status_WithoutWatch_IsExit0WhateverTheState()
    {
        var id = await StartAsync("2020-09-01", "2020-09-02");
        await CliRunner.RunAsync("cancel", id, "--server", Server);

        var (code, stdout, _) = await CliRunner.RunAsync("status", id, "--server", Server);

        Assert.Equal(0, code);
        Assert.Contains($"{id}: cancelled", stdout, StringComparison.Ordinal);
    }

    private async Task<string> StartAsync(string from, string to, string releaseEvery = "00:00:00.200")
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "30001", "--shop", "30002", "--from", from, "--to", to, "--release-every", releaseEvery, "--slices-per-release", "1", "--server", Server);
        Assert.True(code == 0, stderr);
        var id = stdout.Trim();
        var status = await fixture.Harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
        Assert.Equal("running", status.GetProperty("state").GetString());
        return id;
    }
}
