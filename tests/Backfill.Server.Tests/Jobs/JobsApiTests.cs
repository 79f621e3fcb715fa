using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Backfill.Server.Tests.Jobs;

[Trait("Category", "Integration")]
public sealed class JobsApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private static readonly string[] StatusMembers = ["job", "state", "platform", "shops", "from", "to", "source", "createdAt", "finishedAt", "releaseEvery", "slicesPerRelease", "priority", "slices", "data", "timeField", "orders", "datasets", "platforms"];
    private static readonly string[] PlatformMembers = ["platform", "throttles", "coolOffUntil", "coolOffReason", "hold", "lanes", "liveLimit", "partitions", "safetyMargin", "liveMargin", "quotaSpentUntil", "quotas", "skew", "workerCommitFailures", "workerEvictions"];
    private static readonly string[] SliceMembers = ["total", "pending", "released", "running", "succeeded", "failed", "cancelled"];

    private HttpClient Http => fixture.Harness.Http;

    [Fact]
    public async Task Post_ValidRange_Creates201WithIdAndLocation_AndGetReturnsTheStatusShape()
    {
        using var response = await Post("""{"platform": "demo", "shops": ["30001", "30002"], "from": "2024-05-01", "to": "2024-05-08"}""");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString();
        Assert.StartsWith("demo-20240501-20240508-", id, StringComparison.Ordinal);
        Assert.Equal($"/api/jobs/{id}", response.Headers.Location?.OriginalString);

        using var status = await Http.GetAsync(response.Headers.Location);
        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        var json = await status.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(StatusMembers, json.EnumerateObject().Select(p => p.Name));
        Assert.Equal(id, json.GetProperty("job").GetString());
        Assert.Equal("running", json.GetProperty("state").GetString());
        Assert.Equal("demo", json.GetProperty("platform").GetString());
        Assert.Equal(["30001", "30002"], json.GetProperty("shops").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal("2024-05-01", json.GetProperty("from").GetString());
        Assert.Equal("2024-05-08", json.GetProperty("to").GetString());
        var slices = json.GetProperty("slices");
        Assert.Equal(SliceMembers, slices.EnumerateObject().Select(p => p.Name));
        Assert.Equal(14, slices.GetProperty("total").GetInt32());
        Assert.Equal(14, SliceMembers.Skip(1).Sum(m => slices.GetProperty(m).GetInt32()));
        Assert.Equal(0, slices.GetProperty("succeeded").GetInt32());
        Assert.Equal(0, json.GetProperty("orders").GetProperty("emitted").GetInt64());
        var platform = Assert.Single(json.GetProperty("platforms").EnumerateArray());
        Assert.Equal(PlatformMembers, platform.EnumerateObject().Select(p => p.Name));
        Assert.Equal("demo", platform.GetProperty("platform").GetString());
        Assert.Equal(0, platform.GetProperty("throttles").GetInt64());
    }

    [Fact]
    public async Task List_ShowsJobsNewestFirst_WithTheStatusShape_AndFiltersByState()
    {
        using var first = await Post("""{"platform": "demo", "shops": ["30001"], "from": "2023-01-01", "to": "2023-01-03"}""");
        using var second = await Post("""{"platform": "demo", "shops": ["30002"], "from": "2023-02-01", "to": "2023-02-03"}""");
        var firstId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString();
        var secondId = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString();

        var list = await Http.GetFromJsonAsync<JsonElement>("/api/jobs");
        var ids = list.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("job").GetString()).ToList();
        Assert.True(ids.IndexOf(secondId) < ids.IndexOf(firstId) && ids.IndexOf(secondId) >= 0, string.Join(",", ids));
        var item = list.GetProperty("jobs").EnumerateArray().First(j => j.GetProperty("job").GetString() == secondId);
        Assert.Equal(StatusMembers, item.EnumerateObject().Select(p => p.Name));
        Assert.Equal("api", item.GetProperty("source").GetString());

        var running = await Http.GetFromJsonAsync<JsonElement>("/api/jobs?state=RUNNING");
        Assert.Contains(secondId, running.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("job").GetString()));
        var cancelled = await Http.GetFromJsonAsync<JsonElement>("/api/jobs?state=cancelled");
        Assert.DoesNotContain(secondId, cancelled.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("job").GetString()));
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("7")]
    public async Task List_UnknownState_Is400ProblemNamingTheStates(string state)
    {
        using var response = await Http.GetAsync($"/api/jobs?state={state}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("one of running, paused, cancelled, succeeded, failed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_Days_CoversTheWholeDaysBeforeTodayInTheConfiguredZone()
    {
        var before = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);
        using var response = await Post("""{"platform": "DEMO", "shops": [30001], "days": 3, "releaseEvery": "00:10:00", "slicesPerRelease": 2}""");
        var after = DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var status = await Http.GetFromJsonAsync<JsonElement>(response.Headers.Location);
        var to = DateOnly.Parse(status.GetProperty("to").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(to == before || to == after, $"to {to} should be today ({before})");
        Assert.Equal(to.AddDays(-3).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), status.GetProperty("from").GetString());
        Assert.Equal("demo", status.GetProperty("platform").GetString());
        Assert.Equal(["30001"], status.GetProperty("shops").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(3, status.GetProperty("slices").GetProperty("total").GetInt32());
    }

    [Theory]
    [InlineData("", "The body is empty")]
    [InlineData("{\"platform\": \"demo\",", "The body is not valid JSON (line 1")]
    [InlineData("[\"demo\"]", "is a JSON array, not an object")]
    [InlineData("""{"shops": ["30001"], "days": 1}""", "platform is required")]
    [InlineData("""{"platform": "nope", "shops": ["30001"], "days": 1}""", "Unknown platform 'nope'. Configured platforms: demo.")]
    [InlineData("""{"platform": "demo", "days": 1}""", "shops is required: a non-empty array of shop ids")]
    [InlineData("""{"platform": "demo", "shops": [], "days": 1}""", "shops must name at least one shop (got [])")]
    [InlineData("""{"platform": "demo", "shops": [{"id": 1}], "days": 1}""", "shops must be a non-empty array of shop ids, e.g. [\"10001\", \"10002\"] (got [{\"id\": 1}])")]
    [InlineData("""{"platform": "demo", "shops": ["30001"]}""", "Give either from and to (YYYY-MM-DD, to exclusive), or days")]
    [InlineData("""{"platform": "demo", "shops": ["30001"], "from": "2024-05-01", "to": "2024-05-08", "days": 7}""", "Give either from and to, or days, not both.")]
    [InlineData("""{"platform": "demo", "shops": ["30001"], "from": "2024-05-01"}""", "from and to go together.")]
    [InlineData("""{"platform": "demo", "shops": ["30001"], "from": "2024-05-01", "to": "May 8"}""", "to must be a date \"YYYY-MM-DD\", the day after the last (with from) (got \"May 8\").")]
    [InlineData("""{"platform": "demo", "shops": ["30001"], "from": "2024-05-08", "to": "2024-05-01"}""", "The range is reversed")]
    [InlineData("""{"platform": "demo", "shops": ["30001"], "from": "2024-05-01", "to": "2024-05-01"}""", "The range is empty")]
    [InlineData("""{"platform": "demo", "shops": ["30001"], "days": 0}""", "days must be a whole number of days from 1 to 3660 (got 0).")]
    [InlineData("""{"platform": "demo", "shops": ["30001"], "days": 1, "releaseEvery": "00:00:00"}""", "releaseEvery must be \"auto\" or a positive time span")]
    [InlineData("""{"platform": "demo", "shops": ["30001"], "days": 1, "releaseEvery": "-00:01:00"}""", "releaseEvery must be \"auto\" or a positive time span")]
    [InlineData("""{"platform": "demo", "shops": ["30001"], "days": 1, "releaseEvery": 60}""", "(got 60)")]
    [InlineData("""{"platform": "demo", "shops": ["30001"], "days": 1, "slicesPerRelease": 0}""", "slicesPerRelease must be a whole number of slices, at least 1 (got 0).")]
    [InlineData("""{"platform": "demo", "shops": ["30001"], "form": "2024-05-01", "to": "2024-05-08"}""", "'form' is not a member of a job request")]
    public async Task Post_BadBody_Is400ProblemDetailsThatSayWhatIsWrong(string body, string detail)
    {
        using var response = await Post(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var problem = JsonSerializer.Deserialize<JsonElement>(text);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_SeveralMistakes_NamesEachUnderItsMember()
    {
        using var response = await Post("""{"platform": 7, "shops": "30001", "days": -1, "dayz": 2}""");

        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["days", "dayz", "platform", "shops"], errors.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Get_UnknownJob_Is404ProblemDetails()
    {
        using var response = await Http.GetAsync("/api/jobs/no-such-job");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("No job 'no-such-job'.", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    private Task<HttpResponseMessage> Post(string body) =>
        Http.PostAsync("/api/jobs", new StringContent(body, Encoding.UTF8, "application/json"));
}
