using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Backfill.Core.Jobs;
using Backfill.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Server.Tests.Jobs;

/// <summary>The job commands over HTTP on a loopback server without a token (so the gate lets them through); no workers run.</summary>
[Trait("Category", "Integration")]
public sealed class JobControlApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string[] SliceMembers = ["slice", "shop", "firstDay", "endDay", "state", "attempt", "lane", "pages", "orders", "error", "updatedAt", "lastHeard", "restarts"];
    private static readonly string[] StatusMembers = ["job", "state", "platform", "shops", "from", "to", "source", "createdAt", "finishedAt", "releaseEvery", "slicesPerRelease", "priority", "slices", "data", "timeField", "orders", "datasets", "platforms"];

    private HttpClient Http => fixture.Harness.Http;

    [Fact]
    public async Task TimelineAndHistory_ShowWhatTheStoreHolds_AndNameWhatIsMissing()
    {
        var id = await CreateAsync("2012-02-01", "2012-02-03", releaseEvery: "01:00:00");
        var slice = $"{id}/30001/20120201";

        // No worker runs here: a slice has at most its release as history (the browser test sees whole histories).
        var timeline = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/timeline");
        var history = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/history?slice={Uri.EscapeDataString(slice)}");
        using var noSlice = await Http.GetAsync($"/api/jobs/{id}/history");
        using var otherJobs = await Http.GetAsync($"/api/jobs/{id}/history?slice=other-job/30001/20220201");
        using var unknownSlice = await Http.GetAsync($"/api/jobs/{id}/history?slice={Uri.EscapeDataString($"{id}/30001/20990101")}");
        using var unknownJob = await Http.GetAsync("/api/jobs/no-such-job/timeline");

        Assert.Equal((4, 0), (timeline.GetProperty("total").GetInt32(), timeline.GetProperty("points").GetArrayLength()));
        Assert.Equal(slice, history.GetProperty("slice").GetString());
        Assert.All(history.GetProperty("events").EnumerateArray(), e => Assert.Equal(["at", "from", "to", "reason"], e.EnumerateObject().Select(p => p.Name)));
        await AssertProblem(noSlice, HttpStatusCode.BadRequest, $"Name one slice of job '{id}' with ?slice=, as 'GET /api/jobs/{id}/slices' lists them (got '').");
        Assert.Equal(HttpStatusCode.BadRequest, otherJobs.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownSlice.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownJob.StatusCode);
    }

    [Fact]
    public async Task Slices_ListsEverySliceWithItsShape_AndFiltersByState()
    {
        var id = await CreateAsync("2022-01-01", "2022-01-03", releaseEvery: "01:00:00");

        var all = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/slices");
        Assert.Equal(["job", "slices", "next"], all.EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, all.GetProperty("next").ValueKind);
        Assert.Equal(id, all.GetProperty("job").GetString());
        var slices = all.GetProperty("slices").EnumerateArray().ToList();
        Assert.Equal(4, slices.Count);
        Assert.All(slices, s => Assert.Equal(SliceMembers, s.EnumerateObject().Select(p => p.Name)));
        Assert.Equal($"{id}/30001/20220101", slices[0].GetProperty("slice").GetString());
        Assert.Equal(("2022-01-01", "2022-01-02"), (slices[0].GetProperty("firstDay").GetString(), slices[0].GetProperty("endDay").GetString()));
        Assert.Equal(JsonValueKind.Null, slices[0].GetProperty("error").ValueKind);

        var pending = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/slices?state=Pending");
        Assert.All(pending.GetProperty("slices").EnumerateArray(), s => Assert.Equal("pending", s.GetProperty("state").GetString()));
        var failed = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/slices?state=failed");
        Assert.Empty(failed.GetProperty("slices").EnumerateArray());
    }

    [Fact]
    public async Task AJobWhoseSlicesWereDeleted_KeepsItsStatus_ItsSliceListSaysWhen_AndItCannotRunAgain()
    {
        var id = await CreateAsync("2022-08-01", "2022-08-03", releaseEvery: "01:00:00");
        using (var cancelled = await Post($"/api/jobs/{id}/cancel"))
        {
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        }

        var deletedAt = new DateTimeOffset(2022, 9, 1, 0, 0, 0, TimeSpan.Zero);
        // 4 slices and their transitions: cancelled, after released for the slices (one of each shop) the first release took before the cancel.
        var store = fixture.Harness.App.Services.GetRequiredService<JobStore>();
        var transitions = store.Slices(id).Sum(s => store.History(s.Id).Count);
        Assert.InRange(transitions, 4, 6);
        Assert.Equal(4 + transitions, store.PruneSlices(id, limit: 100, deletedAt));

        var status = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
        Assert.Equal(("cancelled", 4), (status.GetProperty("state").GetString(), status.GetProperty("slices").GetProperty("total").GetInt32()));
        Assert.Equal(deletedAt, status.GetProperty("slicesPrunedAt").GetDateTimeOffset());
        var slices = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/slices");
        Assert.Empty(slices.GetProperty("slices").EnumerateArray());
        Assert.Equal(deletedAt, slices.GetProperty("prunedAt").GetDateTimeOffset());
        using var retry = await Post($"/api/jobs/{id}/retry", """{"force": true}""");
        await AssertProblem(retry, HttpStatusCode.Conflict, $"Job {id}'s slices were deleted on 2022-09-01, more than Backfill:KeepFinishedJobs after it finished: it cannot run again.");
    }

    [Fact]
    public async Task Slices_StuckTrue_ListsTheSlicesEverStuck_WithWhenLastHeardAndHowOften()
    {
        var id = await CreateAsync("2019-03-01", "2019-03-04", releaseEvery: "01:00:00");
        using (var paused = await Post($"/api/jobs/{id}/pause"))
        {
            Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        }

        // Two of the slices the paused job holds back, as the check for stuck slices leaves them.
        var store = fixture.Harness.App.Services.GetRequiredService<JobStore>();
        var heard = new DateTimeOffset(2019, 3, 5, 6, 7, 8, TimeSpan.Zero);
        var stuck = store.Slices(id).Where(s => s.State == SliceState.Pending).OrderBy(s => s.Id, StringComparer.Ordinal).Take(2).ToList();
        foreach (var slice in stuck)
        {
            slice.Restarts = 2;
            slice.ProgressAt = heard;
            store.Save(slice);
        }

        var page = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/slices?stuck=true&limit=1");
        var rest = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/slices?stuck=true&after={Uri.EscapeDataString(page.GetProperty("next").GetString()!)}");
        var all = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/slices?stuck=false");

        var listed = page.GetProperty("slices").EnumerateArray().Concat(rest.GetProperty("slices").EnumerateArray()).ToList();
        Assert.Equal(stuck.Select(s => s.Id).Order(StringComparer.Ordinal), listed.Select(s => s.GetProperty("slice").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(listed, s => Assert.Equal((2, heard), (s.GetProperty("restarts").GetInt32(), s.GetProperty("lastHeard").GetDateTimeOffset())));
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next").ValueKind);
        Assert.Equal(6, all.GetProperty("slices").GetArrayLength());
    }

    [Fact]
    public async Task Slices_UnknownStateOrJob_Are400And404Problems()
    {
        using var badState = await Http.GetAsync("/api/jobs/any/slices?state=done");
        using var badStuck = await Http.GetAsync("/api/jobs/any/slices?stuck=yes");
        using var unknown = await Http.GetAsync("/api/jobs/no-such-job/slices");

        await AssertProblem(badState, HttpStatusCode.BadRequest, "unknown state 'done'; one of pending, released, running, succeeded, failed, cancelled");
        await AssertProblem(badStuck, HttpStatusCode.BadRequest, "stuck is true or false (got 'yes')");
        await AssertProblem(unknown, HttpStatusCode.NotFound, "No job 'no-such-job'.");
    }

    [Fact]
    public async Task Slices_ComeInPages_FollowingNextGivesEachOnce_AndThePageIsBoundedByDefault()
    {
        var id = await CreateAsync("2010-01-01", "2010-10-28", releaseEvery: "01:00:00");

        var first = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/slices");
        Assert.Equal(500, first.GetProperty("slices").GetArrayLength());
        var seen = new List<string>();
        var pages = 0;
        string? next = null;
        do
        {
            var page = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}/slices?limit=150{(next is null ? "" : $"&after={Uri.EscapeDataString(next)}")}");
            seen.AddRange(page.GetProperty("slices").EnumerateArray().Select(s => s.GetProperty("slice").GetString()!));
            next = page.GetProperty("next").GetString();
            pages++;
        }
        while (next is not null);

        Assert.Equal(600, seen.Count);
        Assert.Equal(600, seen.Distinct().Count());
        Assert.Equal(4, pages);
        Assert.Equal($"{id}/30001/20100101", seen[0]);
        Assert.Equal($"{id}/30002/20101027", seen[^1]);
        Assert.Equal(first.GetProperty("slices").EnumerateArray().Select(s => s.GetProperty("slice").GetString()), seen.Take(500));
    }

    [Fact]
    public async Task Slices_ABadLimitOrCursor_Is400()
    {
        var id = await CreateAsync("2011-01-01", "2011-01-03", releaseEvery: "01:00:00");

        foreach (var (query, detail) in new[]
        {
            ("limit=0", "limit must be a whole number from 1 to 5000 (got '0')"),
            ("limit=5001", "limit must be a whole number from 1 to 5000"),
            ("limit=ten", "limit must be a whole number from 1 to 5000 (got 'ten')"),
            ("limit=-1", "limit must be a whole number from 1 to 5000"),
            ("after=no-such-slice", "after must be a slice of job"),
        })
        {
            using var response = await Http.GetAsync($"/api/jobs/{id}/slices?{query}");
            await AssertProblem(response, HttpStatusCode.BadRequest, detail);
        }
    }

    [Fact]
    public async Task Slices_ACursorOfAnotherJob_Is400()
    {
        var one = await CreateAsync("2011-02-01", "2011-02-03", releaseEvery: "01:00:00");
        var other = await CreateAsync("2011-03-01", "2011-03-03", releaseEvery: "01:00:00");

        using var response = await Http.GetAsync($"/api/jobs/{one}/slices?after={Uri.EscapeDataString($"{other}/30001/20110301")}");

        await AssertProblem(response, HttpStatusCode.BadRequest, $"after must be a slice of job '{one}'");
    }

    [Fact]
    public async Task Jobs_ComeInPages_NewestFirst_AndABadLimitOrCursorIs400()
    {
        var ids = new List<string>();
        foreach (var month in new[] { "04", "05", "06" })
        {
            ids.Add(await CreateAsync($"2011-{month}-01", $"2011-{month}-02", releaseEvery: "01:00:00"));
        }

        var first = await Http.GetFromJsonAsync<JsonElement>("/api/jobs?limit=2");
        var second = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs?limit=2&after={Uri.EscapeDataString(first.GetProperty("next").GetString()!)}");
        using var badLimit = await Http.GetAsync("/api/jobs?limit=1001");
        using var badAfter = await Http.GetAsync("/api/jobs?after=no-such-job");

        Assert.Equal([ids[2], ids[1]], first.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("job").GetString()));
        Assert.Equal(ids[0], second.GetProperty("jobs")[0].GetProperty("job").GetString());
        await AssertProblem(badLimit, HttpStatusCode.BadRequest, "limit must be a whole number from 1 to 1000");
        await AssertProblem(badAfter, HttpStatusCode.BadRequest, "after must be a job id");
    }

    [Fact]
    public async Task PauseThenResume_AnswersTheStatus_AndTheWrongOrderIs409()
    {
        var id = await CreateAsync("2022-02-01", "2022-02-03");

        using var paused = await Post($"/api/jobs/{id}/pause");
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        var status = await paused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(StatusMembers, status.EnumerateObject().Select(p => p.Name));
        Assert.Equal("paused", status.GetProperty("state").GetString());

        using var again = await Post($"/api/jobs/{id}/pause");
        await AssertProblem(again, HttpStatusCode.Conflict, $"Job {id} is already paused; 'backfill resume {id}' continues it.");

        using var resumed = await Post($"/api/jobs/{id}/resume");
        Assert.Equal("running", (await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        using var resumeRunning = await Post($"/api/jobs/{id}/resume");
        await AssertProblem(resumeRunning, HttpStatusCode.Conflict, $"Job {id} is running, not paused.");
    }

    [Fact]
    public async Task Cancel_CancelsTheJobAndAllItsUnfinishedSlices_InFlightToo_AndIsFinal()
    {
        var id = await CreateAsync("2022-03-01", "2022-03-04", releaseEvery: "01:00:00");
        await Poll.Eventually(async () => (await Status(id)).GetProperty("slices").GetProperty("released").GetInt32() == 2, TimeSpan.FromSeconds(20), "the first release (a slice of each shop)");

        using var cancelled = await Post($"/api/jobs/{id}/cancel");

        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        var status = await cancelled.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cancelled", status.GetProperty("state").GetString());
        var slices = status.GetProperty("slices");
        Assert.Equal((0, 0, 6), (slices.GetProperty("pending").GetInt32(), slices.GetProperty("released").GetInt32(), slices.GetProperty("cancelled").GetInt32()));
        Assert.NotEqual(JsonValueKind.Null, status.GetProperty("finishedAt").ValueKind);
        foreach (var command in new[] { "cancel", "pause", "resume", "retry" })
        {
            using var refused = await Post($"/api/jobs/{id}/{command}");
            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        }
    }

    [Theory]
    [InlineData("pause")]
    [InlineData("resume")]
    [InlineData("cancel")]
    [InlineData("retry")]
    [InlineData("settings")]
    public async Task Command_UnknownJob_Is404Problem(string command)
    {
        using var response = await Post($"/api/jobs/no-such-job/{command}", command == "settings" ? """{"slicesPerRelease": 2}""" : "");

        await AssertProblem(response, HttpStatusCode.NotFound, "No job 'no-such-job'.");
    }

    [Fact]
    public async Task Retry_NothingFailed_Is409_AndASliceThatDidNotFailToo()
    {
        var id = await CreateAsync("2022-04-01", "2022-04-02");

        using var all = await Post($"/api/jobs/{id}/retry");
        using var one = await Post($"/api/jobs/{id}/retry", $$"""{"slice": "{{id}}/30001/20220401"}""");
        using var unknown = await Post($"/api/jobs/{id}/retry", """{"slice": "nope"}""");
        using var bad = await Post($"/api/jobs/{id}/retry", """{"slice": 1}""");

        await AssertProblem(all, HttpStatusCode.Conflict, $"Job {id} has no failed slices to retry.");
        // Pending or already released, depending on whether the job's first release came first: either way not failed.
        var refused = (await AssertProblem(one, HttpStatusCode.Conflict, $"Slice {id}/30001/20220401 is ")).GetProperty("detail").GetString();
        Assert.Matches("is (pending|released); only failed slices are retried\\.$", refused);
        await AssertProblem(unknown, HttpStatusCode.NotFound, $"Job {id} has no slice 'nope'.");
        await AssertProblem(bad, HttpStatusCode.BadRequest, "slice must be a slice id");
    }

    [Fact]
    public async Task Settings_ChangeTheCadence_AndBadBodiesAre400()
    {
        var id = await CreateAsync("2022-05-01", "2022-05-02", releaseEvery: "01:00:00");

        using var changed = await Post($"/api/jobs/{id}/settings", """{"releaseEvery": "00:10:00", "slicesPerRelease": 3}""");
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var status = await changed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("00:10:00", 3), (status.GetProperty("releaseEvery").GetString(), status.GetProperty("slicesPerRelease").GetInt32()));

        using var empty = await Post($"/api/jobs/{id}/settings");
        using var zero = await Post($"/api/jobs/{id}/settings", """{"slicesPerRelease": 0}""");
        using var typo = await Post($"/api/jobs/{id}/settings", """{"releaseEvry": "00:01:00"}""");
        await AssertProblem(empty, HttpStatusCode.BadRequest, "The body is empty");
        await AssertProblem(zero, HttpStatusCode.BadRequest, "slicesPerRelease must be a whole number of slices, at least 1 (got 0).");
        await AssertProblem(typo, HttpStatusCode.BadRequest, "'releaseEvry' is not a member here");
        Assert.Equal("00:10:00", (await Status(id)).GetProperty("releaseEvery").GetString());
    }

    [Fact]
    public async Task Create_OverlappingAnActiveJob_Is409NamingIt_UnlessAllowed()
    {
        var first = await CreateAsync("2022-06-01", "2022-06-08", shops: ["30001"]);

        using var refused = await Post("/api/jobs", """{"platform": "demo", "shops": ["30002", "30001"], "from": "2022-06-07", "to": "2022-06-10"}""");
        var problem = await AssertProblem(refused, HttpStatusCode.Conflict, $"job {first} (running) already covers shop 30001 of demo for days [2022-06-07, 2022-06-08) (orders)");
        Assert.Equal(first, problem.GetProperty("overlaps").GetString());

        using var adjacent = await Post("/api/jobs", """{"platform": "demo", "shops": ["30001"], "from": "2022-06-08", "to": "2022-06-10"}""");
        using var otherShop = await Post("/api/jobs", """{"platform": "demo", "shops": ["30002"], "from": "2022-06-01", "to": "2022-06-08"}""");
        using var allowed = await Post("/api/jobs", """{"platform": "demo", "shops": ["30001"], "from": "2022-06-03", "to": "2022-06-04", "allowOverlap": true}""");
        Assert.Equal(HttpStatusCode.Created, adjacent.StatusCode);
        Assert.Equal(HttpStatusCode.Created, otherShop.StatusCode);
        Assert.Equal(HttpStatusCode.Created, allowed.StatusCode);
    }

    [Fact]
    public async Task Create_OverlappingACancelledJob_IsAllowed()
    {
        var first = await CreateAsync("2022-07-01", "2022-07-03");
        using var cancelled = await Post($"/api/jobs/{first}/cancel");
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);

        using var again = await Post("/api/jobs", """{"platform": "demo", "shops": ["30001"], "from": "2022-07-01", "to": "2022-07-03"}""");

        Assert.Equal(HttpStatusCode.Created, again.StatusCode);
    }

    [Fact]
    public async Task Create_AllowOverlapNotABoolean_Is400()
    {
        using var response = await Post("/api/jobs", """{"platform": "demo", "shops": ["30001"], "days": 1, "allowOverlap": "yes"}""");

        await AssertProblem(response, HttpStatusCode.BadRequest, "allowOverlap must be true (create it even when an active job covers one of its shops on one of its days) or false (got \"yes\").");
    }

    internal static async Task<JsonElement> AssertProblem(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        return problem;
    }

    private Task<JsonElement> Status(string id) => Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");

    private Task<HttpResponseMessage> Post(string path, string body = "") =>
        Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));

    private async Task<string> CreateAsync(string from, string to, string releaseEvery = "00:00:00.200", string[]? shops = null)
    {
        using var response = await Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = shops ?? ServerHarness.Shops, from, to, releaseEvery, slicesPerRelease = 1 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
    }
}
