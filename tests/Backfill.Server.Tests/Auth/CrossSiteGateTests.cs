using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Backfill.Server.Tests.Jobs;

namespace Backfill.Server.Tests.Auth;

/// <summary>
/// A loopback server without a token, asked the way a web page in the operator's browser could ask it: a "simple"
/// cross-site POST (text/plain, no preflight), a foreign <c>Origin</c>, a host name rebound to 127.0.0.1. Each is
/// refused and changes nothing; the CLI's and a script's requests (JSON, no Origin) and the dashboard's own still work.
/// </summary>
[Trait("Category", "Integration")]
public sealed class CrossSiteGateTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Job = """{"platform": "demo", "shops": ["30001"], "from": "2019-01-01", "to": "2019-01-03"}""";
    private static readonly string[] OtherShop = ["30002"];

    private ServerHarness Harness => fixture.Harness;

    private string OwnOrigin => Harness.BaseUrl.GetLeftPart(UriPartial.Authority);

    [Theory]
    [InlineData("text/plain;charset=UTF-8")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data; boundary=b")]
    public async Task Post_ABodyAPageCanSendWithoutPreflight_Is415_AndCreatesNothing(string contentType)
    {
        var before = await JobCountAsync();

        using var response = await SendAsync(HttpMethod.Post, "/api/jobs", Job, contentType);

        await JobControlApiTests.AssertProblem(response, HttpStatusCode.UnsupportedMediaType, "Send the body as 'Content-Type: application/json'");
        Assert.Equal(before, await JobCountAsync());
    }

    [Fact]
    public async Task Post_AnEmptyTextBodyToACommand_Is415_AndTheJobRuns()
    {
        var id = await CreateAsync();

        using var response = await SendAsync(HttpMethod.Post, $"/api/jobs/{id}/cancel", "", "text/plain;charset=UTF-8");

        await JobControlApiTests.AssertProblem(response, HttpStatusCode.UnsupportedMediaType, "not JSON");
        Assert.Equal("running", await StateAsync(id));
    }

    [Fact]
    public async Task Post_FromAnotherOrigin_Is403_EvenAsJson_AndChangesNothing()
    {
        var id = await CreateAsync();
        var before = await JobCountAsync();

        using var create = await SendAsync(HttpMethod.Post, "/api/jobs", Job, "application/json", origin: "http://evil.example");
        using var pause = await SendAsync(HttpMethod.Post, $"/api/jobs/{id}/pause", null, null, origin: "null");
        using var limit = await SendAsync(HttpMethod.Post, "/api/platforms/demo/limit", """{"permitsPerSecond": 30}""", "application/json", origin: "http://127.0.0.1:1");

        await JobControlApiTests.AssertProblem(create, HttpStatusCode.Forbidden, "comes from a page of another origin (http://evil.example)");
        await JobControlApiTests.AssertProblem(pause, HttpStatusCode.Forbidden, "another origin");
        await JobControlApiTests.AssertProblem(limit, HttpStatusCode.Forbidden, "another origin");
        Assert.Equal(before, await JobCountAsync());
        Assert.Equal("running", await StateAsync(id));
        var platforms = await Harness.Http.GetFromJsonAsync<JsonElement>("/api/platforms");
        Assert.False(platforms.GetProperty("platforms")[0].GetProperty("live").GetBoolean());
    }

    [Theory]
    [InlineData("/api/jobs")]
    [InlineData("/api/platforms")]
    [InlineData("/metrics")]
    public async Task Get_FromAnotherOrigin_Is403(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, null, origin: "http://evil.example");

        await JobControlApiTests.AssertProblem(response, HttpStatusCode.Forbidden, "another origin");
    }

    [Fact]
    public async Task FromItsOwnOrigin_AndAsJsonWithCharset_ChangesAndReadsWork()
    {
        using var created = await SendAsync(HttpMethod.Post, "/api/jobs", Job.Replace("2019-01", "2019-02", StringComparison.Ordinal), "application/json; charset=utf-8", origin: OwnOrigin);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;

        using var paused = await SendAsync(HttpMethod.Post, $"/api/jobs/{id}/pause", null, null, origin: OwnOrigin);
        using var read = await SendAsync(HttpMethod.Get, "/api/jobs", null, null, origin: OwnOrigin);

        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    [Fact]
    public async Task Post_ByAHostNameReboundToLoopback_IsRefusedWithoutAToken_ButReadsWork()
    {
        var before = await JobCountAsync();
        var rebound = $"rebound.example:{Harness.BaseUrl.Port}";

        // The page at http://rebound.example:PORT is same-origin with itself: Origin and Host agree.
        using var create = await SendAsync(HttpMethod.Post, "/api/jobs", Job, "application/json", origin: $"http://{rebound}", host: rebound);
        using var read = await SendAsync(HttpMethod.Get, "/api/jobs", null, null, origin: $"http://{rebound}", host: rebound);

        await JobControlApiTests.AssertProblem(create, HttpStatusCode.Forbidden, "only when asked by a loopback name or address");
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(before, await JobCountAsync());
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, string? contentType, string? origin = null, string? host = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        }

        if (contentType is not null)
        {
            request.Content ??= new ByteArrayContent([]);
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return await Harness.Http.SendAsync(request);
    }

    private async Task<string> CreateAsync()
    {
        using var response = await Harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = OtherShop, days = 1, releaseEvery = "01:00:00", allowOverlap = true });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
    }

    private async Task<string?> StateAsync(string id) =>
        (await Harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("state").GetString();

    private async Task<int> JobCountAsync() =>
        (await Harness.Http.GetFromJsonAsync<JsonElement>("/api/jobs")).GetProperty("jobs").GetArrayLength();
}
