using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Backfill.Server.Tests.Jobs;

namespace Backfill.Server.Tests.Auth;

/// <summary>A server with <c>Backfill:ApiToken</c> set: every mutation needs it, reads do not, and it never shows up anywhere.</summary>
[Trait("Category", "Integration")]
public sealed class ApiTokenGateTests : IAsyncLifetime
{
    private const string Token = "gate-tests-api-token-6f1c2a9e";
    private const string WrongToken = "gate-tests-wrong-token-77aa01";
    private const string Job = """{"platform": "demo", "shops": ["30001"], "from": "2021-01-01", "to": "2021-01-03"}""";

    private readonly LogCapture _logs = new();
    private readonly List<string> _bodies = [];
    private ServerHarness? _harness;

    private ServerHarness Harness => _harness!;

    public async Task InitializeAsync() =>
        _harness = await ServerHarness.StartAsync(settings: new Dictionary<string, string?> { ["Backfill:ApiToken"] = Token }, logs: _logs);

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }

        // Whatever the test did, the token never reached a log line or an answer.
        Assert.DoesNotContain(_logs.Lines, l => l.Contains(Token, StringComparison.Ordinal) || l.Contains(WrongToken, StringComparison.Ordinal));
        Assert.DoesNotContain(_bodies, b => b.Contains(Token, StringComparison.Ordinal) || b.Contains(WrongToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Post_WithoutToken_Is401WithWwwAuthenticate_AndCreatesNothing()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/jobs", Job, authorization: null);

        await JobControlApiTests.AssertProblem(response, HttpStatusCode.Unauthorized, "Changes need 'Authorization: Bearer <token>'");
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Contains(_logs.Lines, l => l.Contains("Refused POST /api/jobs from 127.0.0.1 with 401: no bearer token", StringComparison.Ordinal));
        Assert.Empty((await Harness.Http.GetFromJsonAsync<JsonElement>("/api/jobs")).GetProperty("jobs").EnumerateArray());
    }

    [Theory]
    [InlineData("Bearer " + WrongToken)]
    [InlineData("Bearer " + Token + "x")]
    public async Task Post_WrongToken_Is403(string authorization)
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/jobs", Job, authorization);

        await JobControlApiTests.AssertProblem(response, HttpStatusCode.Forbidden, "The bearer token is not this scheduler's Backfill:ApiToken.");
        Assert.Empty((await Harness.Http.GetFromJsonAsync<JsonElement>("/api/jobs")).GetProperty("jobs").EnumerateArray());
    }

    [Fact]
    public async Task Post_OtherScheme_Is401()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/jobs", Job, "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("user:" + Token)));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task EveryCommand_NeedsTheToken_AndReadsDoNot()
    {
        using var created = await SendAsync(HttpMethod.Post, "/api/jobs", Job, "Bearer " + Token);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString();

        foreach (var command in new[] { "pause", "resume", "cancel", "retry", "settings" })
        {
            using var refused = await SendAsync(HttpMethod.Post, $"/api/jobs/{id}/{command}", "", authorization: null);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var paused = await SendAsync(HttpMethod.Post, $"/api/jobs/{id}/pause", "", "bearer " + Token);
        Assert.Equal(HttpStatusCode.OK, paused.StatusCode);
        foreach (var read in new[] { "/api/jobs", $"/api/jobs/{id}", $"/api/jobs/{id}/slices", "/healthz" })
        {
            using var answer = await SendAsync(HttpMethod.Get, read, null, authorization: null);
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        Assert.Equal("paused", (await Harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Cli_SendsTheTokenFromOptionOrConfiguration_AndSaysWhyWhenRefused()
    {
        var server = Harness.BaseUrl.ToString();
        var (created, stdout, stderr) = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "30001", "--from", "2021-02-01", "--to", "2021-02-03", "--server", server, "--token", Token);
        Assert.True(created == 0, stderr);
        var id = stdout.Trim();
        Remember(stdout, stderr);

        var none = await CliRunner.RunAsync("pause", id, "--server", server);
        var wrong = await CliRunner.RunAsync("pause", id, "--server", server, "--token", WrongToken);
        var configured = await CliRunner.RunAsync("pause", id, "--server", server, $"--Backfill:ApiToken={Token}");
        Remember(none.Out, none.Error, wrong.Out, wrong.Error, configured.Out, configured.Error);

        Assert.Equal((1, ""), (none.Code, none.Out));
        Assert.StartsWith("error: Changes need 'Authorization: Bearer <token>'", none.Error, StringComparison.Ordinal);
        Assert.Equal((1, "error: The bearer token is not this scheduler's Backfill:ApiToken."), (wrong.Code, wrong.Error.Trim()));
        Assert.True(configured.Code == 0, configured.Error);
        Assert.StartsWith($"Job {id} paused", configured.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlatformLimit_IsAChangeToo_AndTheLimitVerbSendsTheToken()
    {
        using var refused = await SendAsync(HttpMethod.Post, "/api/platforms/demo/limit", """{"permitsPerSecond": 20}""", authorization: null);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);

        var server = Harness.BaseUrl.ToString();
        var none = await CliRunner.RunAsync("limit", "demo", "20", "--server", server);
        var token = await CliRunner.RunAsync("limit", "demo", "20", "--server", server, "--token", Token);
        Remember(none.Out, none.Error, token.Out, token.Error);

        Assert.Equal(1, none.Code);
        Assert.StartsWith("error: Changes need 'Authorization: Bearer <token>'", none.Error, StringComparison.Ordinal);
        Assert.True(token.Code == 0, token.Error);
    }

    [Fact]
    public async Task Estimate_IsAPostToo_AndSendsTheToken()
    {
        var server = Harness.BaseUrl.ToString();
        string[] args = ["estimate", "--platform", "demo", "--shop", "30001", "--days", "3", "--json", "--server", server];

        var none = await CliRunner.RunAsync(args);
        var token = await CliRunner.RunAsync([.. args, "--token", Token]);
        var dryRun = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "30001", "--days", "3", "--dry-run", "--server", server, $"--Backfill:ApiToken={Token}");
        Remember(none.Out, none.Error, token.Out, token.Error, dryRun.Out, dryRun.Error);

        Assert.Equal(1, none.Code);
        Assert.StartsWith("error: Changes need 'Authorization: Bearer <token>'", none.Error, StringComparison.Ordinal);
        Assert.True(token.Code == 0, token.Error);
        Assert.True(dryRun.Code == 0, dryRun.Error);
        Assert.Empty((await Harness.Http.GetFromJsonAsync<JsonElement>("/api/jobs")).GetProperty("jobs").EnumerateArray());
    }

    [Fact]
    public async Task Cli_ConfiguredTokenTooShort_Exits2WithoutShowingIt()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("list", "--server", Harness.BaseUrl.ToString(), "--Backfill:ApiToken=tiny-secret");

        Assert.Equal((2, ""), (code, stdout));
        Assert.Contains("Backfill:ApiToken must be at least 16 characters (got 11)", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("tiny-secret", stderr, StringComparison.Ordinal);
    }

    private void Remember(params string[] texts) => _bodies.AddRange(texts);

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? body, string? authorization)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null && method == HttpMethod.Post)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (authorization is not null)
        {
            request.Headers.Authorization = AuthenticationHeaderValue.Parse(authorization);
        }

        var response = await Harness.Http.SendAsync(request);
        _bodies.Add(await response.Content.ReadAsStringAsync());
        _bodies.Add(string.Join("\n", response.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}")));
        return response;
    }
}

/// <summary>Without <c>Backfill:ApiToken</c>, whether mutations pass depends on where the server listens.</summary>
[Trait("Category", "Integration")]
public sealed class NoApiTokenTests
{
    private static readonly string[] OneShop = ["30001"];

    [Fact]
    public async Task ListeningBeyondLoopback_RefusesEveryChangeWith403SayingToSetAToken_ButReadsWork()
    {
        await using var harness = await ServerHarness.StartAsync(urls: "http://0.0.0.0:0");

        using var created = await harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = OneShop, days = 1 });

        var problem = await JobControlApiTests.AssertProblem(created, HttpStatusCode.Forbidden, "beyond loopback, and has no Backfill:ApiToken");
        Assert.Contains("Set Backfill:ApiToken (at least 16 characters)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var list = await harness.Http.GetAsync("/api/jobs");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Fact]
    public async Task ListeningOnLoopbackOnly_AcceptsChangesWithoutAToken()
    {
        await using var harness = await ServerHarness.StartAsync(urls: "http://127.0.0.1:0;http://[::1]:0");

        using var created = await harness.Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = OneShop, days = 1 });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }
}
