using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Core.Secrets;
using Backfill.Core.Shops;
using Backfill.Scheduling.Shops;
using Backfill.Server.Tests.Jobs;
using Backfill.Storage;
using Microsoft.Extensions.DependencyInjection;
using static Backfill.Testing.ShopsTestSupport;

namespace Backfill.Server.Tests.Shops;

/// <summary>The shop registry's API against a real server whose fleet has a secret key (loopback, no API token).</summary>
[Trait("Category", "Integration")]
public sealed class ShopsApiTests(KeyedServerFixture fixture) : IClassFixture<KeyedServerFixture>
{
    private static readonly string[] ViewMembers =
        ["platform", "shop", "name", "state", "origin", "tokenVersion", "hasRefreshToken", "accessExpiresAt", "accessSecondsLeft", "refreshExpiresAt", "refreshSecondsLeft", "lastRefreshAt", "lastRefreshOutcome", "lastRefreshFailed", "warnings"];

    private ServerHarness Harness => fixture.Harness;

    private HttpClient Http => fixture.Harness.Http;

    private Task<HttpResponseMessage> PostJobAsync(string shop, string from, string to, bool dryRun = false) =>
        Http.PostAsJsonAsync("/api/jobs", new { platform = "demo", shops = new[] { shop }, from, to, dryRun });

    [Fact]
    public async Task List_AtStart_HoldsEveryConfiguredShop_Active_FromConfiguration_WithoutAToken()
    {
        var body = await Http.GetStringAsync("/api/platforms/DEMO/shops");

        var shops = JsonSerializer.Deserialize<JsonElement>(body).GetProperty("shops").EnumerateArray().ToList();
        var configured = shops.Where(s => s.GetProperty("origin").GetString() == "configuration").ToList();

        // Other tests of the class re-add 50002 and remove 50003; the other configured shops stay as seeded.
        Assert.Subset(configured.Select(s => s.GetProperty("shop").GetString()).ToHashSet(), new HashSet<string?> { "30001", "30002", "40001", "40002", "40003", "50001" });
        Assert.All(configured, s => Assert.Equal(ViewMembers, s.EnumerateObject().Select(p => p.Name)));
        var first = configured.Single(s => s.GetProperty("shop").GetString() == "30001");
        Assert.Equal(("demo", "active", 0L, false), (first.GetProperty("platform").GetString(), first.GetProperty("state").GetString(), first.GetProperty("tokenVersion").GetInt64(), first.GetProperty("hasRefreshToken").GetBoolean()));
        Assert.Equal(JsonValueKind.Null, first.GetProperty("accessSecondsLeft").ValueKind);
        Assert.False(Holds(body, ServerHarness.Shops.Concat(ServerHarness.IdleShops).Select(ServerHarness.Token), out var found), found);

        // The configured access tokens are stored, sealed under the key, as version 0.
        var record = Harness.App.Services.GetRequiredService<ShopStore>().Find("demo", "30001")!;
        Assert.Equal(ServerHarness.Token("30001"), SecretBox.FromBase64(KeyedServerFixture.Key).Open(record.AccessToken!, ShopTokenContext.Access("demo", "30001", 0)));
    }

    [Fact]
    public async Task Get_OneShop_UnknownShop404_UnknownPlatform404()
    {
        var shop = await Http.GetFromJsonAsync<JsonElement>("/api/platforms/demo/shops/40001");
        using var unknownShop = await Http.GetAsync("/api/platforms/demo/shops/99999");
        using var unknownPlatform = await Http.GetAsync("/api/platforms/lazada/shops");
        using var unknownPlatformAdd = await Http.PostAsync("/api/platforms/lazada/shops", Json("""{"shop": "1", "refreshToken": "r"}"""));

        Assert.Equal("40001", shop.GetProperty("shop").GetString());
        await JobControlApiTests.AssertProblem(unknownShop, HttpStatusCode.NotFound, "No shop '99999' is registered for platform demo");
        await JobControlApiTests.AssertProblem(unknownPlatform, HttpStatusCode.NotFound, "No platform 'lazada' is configured; configured: demo.");
        await JobControlApiTests.AssertProblem(unknownPlatformAdd, HttpStatusCode.NotFound, "No platform 'lazada' is configured");
    }

    [Fact]
    public async Task Add_WithARefreshTokenOnly_Is201_StoresItSealed_AndAsksTheRefresherAtOnce_ThenAJobForItIsMade()
    {
        const string Refresh = "api-refresh-token-secret-61001";

        using var added = await Http.PostAsync("/api/platforms/Demo/shops", Json($$"""{"shop": "61001", "refreshToken": "{{Refresh}}", "name": "Main store"}"""));

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("/api/platforms/demo/shops/61001", added.Headers.Location?.OriginalString);
        var body = await added.Content.ReadAsStringAsync();
        Assert.DoesNotContain(Refresh, body, StringComparison.Ordinal);
        var view = JsonSerializer.Deserialize<JsonElement>(body);
        Assert.Equal(ViewMembers, view.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("demo", "61001", "Main store", "active", "api", 0L, true),
            (view.GetProperty("platform").GetString(), view.GetProperty("shop").GetString(), view.GetProperty("name").GetString(), view.GetProperty("state").GetString(),
             view.GetProperty("origin").GetString(), view.GetProperty("tokenVersion").GetInt64(), view.GetProperty("hasRefreshToken").GetBoolean()));
        Assert.Contains(("demo", "61001", (long?)null), fixture.Refreshes.Requests);
        var record = Harness.App.Services.GetRequiredService<ShopStore>().Find("demo", "61001")!;
        Assert.Equal(Refresh, SecretBox.FromBase64(KeyedServerFixture.Key).Open(record.RefreshToken!, ShopTokenContext.Refresh("demo", "61001")));

        // The fleet runs on: a job for the new shop is made without a restart.
        using var job = await PostJobAsync("61001", "2021-01-01", "2021-01-03");
        Assert.Equal(HttpStatusCode.Created, job.StatusCode);
        Assert.False(Holds(string.Join('\n', fixture.Logs.Lines), [Refresh], out var found), found);
    }

    [Fact]
    public async Task Add_WithAnAccessToken_AnnouncesItSealed_AsTheNextVersion_AndAsksNoRefresh()
    {
        const string Access = "api-access-token-secret-61002";
        const string Refresh = "api-refresh-token-secret-61002";

        using var added = await Http.PostAsync("/api/platforms/demo/shops", Json($$"""{"shop": "61002", "refreshToken": "{{Refresh}}", "accessToken": "{{Access}}"}"""));
        using var again = await Http.PostAsync("/api/platforms/demo/shops", Json($$"""{"shop": "61002", "refreshToken": "{{Refresh}}-2", "accessToken": "{{Access}}-2"}"""));

        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(2, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tokenVersion").GetInt64());
        Assert.DoesNotContain(fixture.Refreshes.Requests, r => r.Shop == "61002");
        var box = SecretBox.FromBase64(KeyedServerFixture.Key);
        foreach (var (version, token) in new[] { (1L, Access), (2L, Access + "-2") })
        {
            var announced = AnnouncedToken(Harness, "61002", version);
            Assert.NotNull(announced);
            Assert.DoesNotContain(token, announced.Sealed, StringComparison.Ordinal);
            Assert.Equal(token, box.Open(Convert.FromBase64String(announced.Sealed!), ShopTokenContext.Access("demo", "61002", version)));
        }
    }

    [Theory]
    [InlineData("", "The body is empty")]
    [InlineData("[1]", "not an object")]
    [InlineData("""{"refreshToken": "tok-secret-1"}""", "shop is required")]
    [InlineData("""{"shop": "12a", "refreshToken": "tok-secret-1"}""", "a Shopee shop id is a decimal number, e.g. 1001 (got '12a')")]
    [InlineData("""{"shop": "61003"}""", "refreshToken is required: a string, the shop's refresh token")]
    [InlineData("""{"shop": "61003", "refreshToken": 12345678}""", "refreshToken must be a string")]
    [InlineData("""{"shop": "61003", "refreshToken": "tok secret 1"}""", "refreshToken must be one word")]
    [InlineData("""{"shop": "61003", "refreshToken": "tok-secret-1", "accessToken": ""}""", "accessToken must be one word")]
    [InlineData("""{"shop": "61003", "refreshToken": "tok-secret-1", "token": "tok-secret-2"}""", "'token' is not a member here")]
    [InlineData("""{"shop": "61003", "refreshToken": "tok-secret-1", "name": 5}""", "name must be a string")]
    public async Task Add_ABadBody_Is400SayingWhy_WithoutQuotingAToken_AndStoresNothing(string body, string says)
    {
        using var response = await Http.PostAsync("/api/platforms/demo/shops", Json(body));

        var problem = await JobControlApiTests.AssertProblem(response, HttpStatusCode.BadRequest, says);
        Assert.False(Holds(problem.GetRawText(), ["tok-secret", "tok secret", "12345678"], out var found), found);
        using var shop = await Http.GetAsync("/api/platforms/demo/shops/61003");
        Assert.Equal(HttpStatusCode.NotFound, shop.StatusCode);
    }

    [Fact]
    public async Task Disable_RefusesNewJobsAndEstimates_NamingTheShopAndItsState_EnableLetsThemThrough()
    {
        using var disabled = await Http.PostAsync("/api/platforms/demo/shops/50001/disable", null);
        Assert.Equal("disabled", (await disabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());

        using var refused = await PostJobAsync("50001", "2021-02-01", "2021-02-03");
        using var estimate = await PostJobAsync("50001", "2021-02-01", "2021-02-03", dryRun: true);
        var problem = await JobControlApiTests.AssertProblem(refused, HttpStatusCode.BadRequest, "Shop 50001 of platform demo is disabled: enable it with 'backfill shops enable demo 50001'.");
        Assert.Equal(["shops"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        await JobControlApiTests.AssertProblem(estimate, HttpStatusCode.BadRequest, "Shop 50001 of platform demo is disabled");

        using var enabled = await Http.PostAsync("/api/platforms/demo/shops/50001/enable", null);
        using var enabledAgain = await Http.PostAsync("/api/platforms/demo/shops/50001/enable", null);
        Assert.Equal(HttpStatusCode.OK, enabledAgain.StatusCode);
        Assert.Equal("active", (await enabledAgain.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        using var created = await PostJobAsync("50001", "2021-02-01", "2021-02-03");
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Contains(fixture.Logs.Lines, l => l.Contains("Shop demo/50001: disabled by api (was active): no new job of it and no refresh of its tokens", StringComparison.Ordinal));
        Assert.Contains(fixture.Logs.Lines, l => l.Contains("Shop demo/50001: enabled by api (was disabled)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NeedsAuthorization_RefusesJobs_AndEnable_UntilANewRefreshTokenIsBrought_AndIsLoggedOnceAsAWarning()
    {
        var registry = Harness.App.Services.GetRequiredService<ShopRegistry>();
        registry.RefreshRefused("demo", "50002", "refused: error_param: invalid refresh_token");
        registry.RefreshRefused("demo", "50002", "refused: error_param: invalid refresh_token");

        using var job = await PostJobAsync("50002", "2021-03-01", "2021-03-03");
        using var enable = await Http.PostAsync("/api/platforms/demo/shops/50002/enable", null);
        var view = await Http.GetFromJsonAsync<JsonElement>("/api/platforms/demo/shops/50002");

        await JobControlApiTests.AssertProblem(job, HttpStatusCode.BadRequest, "Shop 50002 of platform demo needs authorization: the seller must authorise the app again, then bring the new refresh token with 'backfill shops add demo 50002 --refresh-token -'.");
        await JobControlApiTests.AssertProblem(enable, HttpStatusCode.Conflict, "Shop demo/50002 needs authorization");
        Assert.Equal("needs-authorization", view.GetProperty("state").GetString());
        Assert.StartsWith("needs authorization: the platform refused its refresh token (refused: error_param: invalid refresh_token, ", view.GetProperty("warnings")[0].GetString(), StringComparison.Ordinal);
        Assert.Single(fixture.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Shop demo/50002 needs authorization", StringComparison.Ordinal));

        using var added = await Http.PostAsync("/api/platforms/demo/shops", Json("""{"shop": "50002", "refreshToken": "api-refresh-token-secret-50002"}"""));
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal("active", (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Remove_WhileAJobOfTheShopRuns_Is409NamingTheJob_AfterItsCancelTheShopGoes_AndIsNoLongerKnown()
    {
        using var add = await Http.PostAsync("/api/platforms/demo/shops", Json("""{"shop": "61004", "refreshToken": "api-refresh-token-secret-61004"}"""));
        using var job = await PostJobAsync("61004", "2021-04-01", "2021-04-03");
        var id = (await job.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;

        using var refused = await Http.PostAsync("/api/platforms/demo/shops/61004/remove", null);
        await JobControlApiTests.AssertProblem(refused, HttpStatusCode.Conflict, $"Shop demo/61004 cannot be removed while jobs of it are running or paused: {id}.");

        using var cancel = await Http.PostAsync($"/api/jobs/{id}/cancel", null);
        using var removed = await Http.PostAsync("/api/platforms/demo/shops/61004/remove", null);
        using var gone = await Http.GetAsync("/api/platforms/demo/shops/61004");
        using var unknown = await PostJobAsync("61004", "2021-04-05", "2021-04-07");

        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        var answer = await removed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("demo", "61004", false), (answer.GetProperty("platform").GetString(), answer.GetProperty("shop").GetString(), answer.GetProperty("stillConfigured").GetBoolean()));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        await JobControlApiTests.AssertProblem(unknown, HttpStatusCode.BadRequest, "Shop 61004 is not known to platform demo");
    }

    [Fact]
    public async Task Remove_AConfiguredShop_SaysItStaysKnownAndComesBackAtTheNextStart()
    {
        using var removed = await Http.PostAsync("/api/platforms/demo/shops/50003/remove", null);

        var answer = await removed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(answer.GetProperty("stillConfigured").GetBoolean());
        Assert.Contains("Platforms:demo:Shops:50003", answer.GetProperty("note").GetString(), StringComparison.Ordinal);
        using var unknownShop = await Http.PostAsync("/api/platforms/demo/shops/99999/remove", null);
        Assert.Equal(HttpStatusCode.NotFound, unknownShop.StatusCode);
    }

    [Fact]
    public async Task AJobsStatus_WarnsWhileOneOfItsShopsNeedsAuthorization_InTheApiTheListAndTheCli()
    {
        using var healthy = await PostJobAsync("30002", "2021-07-01", "2021-07-03");
        using var job = await PostJobAsync("40003", "2021-07-01", "2021-07-03");
        var id = (await job.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
        var healthyId = (await healthy.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("job").GetString()!;
        Assert.False((await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}")).TryGetProperty("shopWarnings", out _));

        Harness.App.Services.GetRequiredService<ShopRegistry>().RefreshRefused("demo", "40003", "refused: error_param: invalid refresh_token");

        var status = await Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
        var warning = Assert.Single(status.GetProperty("shopWarnings").EnumerateArray()).GetString();
        Assert.StartsWith("shop 40003: needs authorization: the platform refused its refresh token (refused: error_param: invalid refresh_token, ", warning, StringComparison.Ordinal);
        var listed = (await Http.GetFromJsonAsync<JsonElement>("/api/jobs?state=running")).GetProperty("jobs").EnumerateArray().ToList();
        Assert.Equal(warning, listed.Single(j => j.GetProperty("job").GetString() == id).GetProperty("shopWarnings")[0].GetString());
        Assert.False(listed.Single(j => j.GetProperty("job").GetString() == healthyId).TryGetProperty("shopWarnings", out _));
        var (code, human, _) = await CliRunner.RunAsync("status", id, "--server", Harness.BaseUrl.ToString());
        Assert.Equal(0, code);
        // The console wraps long lines at its width.
        Assert.True(System.Text.RegularExpressions.Regex.Replace(human, @"\s+", " ").Contains($"warning: {warning}", StringComparison.Ordinal), human);
    }

    [Fact]
    public async Task Metrics_ShowShopsByState_AndTheSecondsLeftOfEachKnownExpiry()
    {
        var now = Harness.App.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        Harness.App.Services.GetRequiredService<ShopStore>().Update("demo", "40002", r =>
        {
            r!.AccessExpiresAt = now.AddHours(1);
            r.RefreshExpiresAt = now.AddDays(10);
            return r;
        });

        var parsed = Metrics.ExpositionParser.Parse(await Http.GetStringAsync("/metrics"));

        var access = parsed.Value("backfill_shop_token_seconds_left", ("platform", "demo"), ("shop", "40002"), ("kind", "access"));
        var refresh = parsed.Value("backfill_shop_token_seconds_left", ("platform", "demo"), ("shop", "40002"), ("kind", "refresh"));
        Assert.InRange(access, 3500, 3600);
        Assert.InRange(refresh, (10 * 86400) - 100, 10 * 86400);
        Assert.DoesNotContain(parsed.Samples("backfill_shop_token_seconds_left"), s => s.Labels.Contains(("shop", "30001")));
        var registry = Harness.App.Services.GetRequiredService<ShopRegistry>().All("demo");
        foreach (var state in new[] { ShopState.Active, ShopState.Disabled, ShopState.NeedsAuthorization })
        {
            Assert.Equal(registry.Count(s => s.State == state), parsed.Value("backfill_shops", ("platform", "demo"), ("state", ShopRules.StateName(state))));
        }
    }
}

/// <summary>Servers of their own: without a key, with an API token, and restarted on one data folder.</summary>
[Trait("Category", "Integration")]
public sealed class ShopsApiStartTests
{
    [Fact]
    public async Task Add_WithoutASecretKey_Is409SayingWhichSettingToSet_AndChangesNeedTheApiToken()
    {
        const string ApiToken = "shops-tests-api-token-0123456789";
        await using var harness = await ServerHarness.StartAsync(settings: new Dictionary<string, string?> { ["Backfill:ApiToken"] = ApiToken });

        using var anonymous = await harness.Http.PostAsync("/api/platforms/demo/shops/30001/disable", null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/platforms/demo/shops") { Content = Json("""{"shop": "62001", "refreshToken": "api-refresh-token-secret-62001"}""") };
        request.Headers.Authorization = new("Bearer", ApiToken);
        using var add = await harness.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        await JobControlApiTests.AssertProblem(add, HttpStatusCode.Conflict, "this scheduler has no Backfill:SecretKey; set Backfill:SecretKey (32 random bytes, base64");
        var listed = await harness.Http.GetFromJsonAsync<JsonElement>("/api/platforms/demo/shops");
        Assert.All(listed.GetProperty("shops").EnumerateArray(), s => Assert.Equal("active", s.GetProperty("state").GetString()));
        Assert.Null(harness.App.Services.GetRequiredService<ShopStore>().Find("demo", "30001")!.AccessToken);
    }

    [Fact]
    public async Task Restart_TakesAChangedSeed_ButNeverOverwritesARotatedToken_OrOneBroughtThroughTheApi()
    {
        var key = SecretBox.NewKey();
        var box = SecretBox.FromBase64(key);
        var dir = Directory.CreateTempSubdirectory("backfill-shops-restart-").FullName;
        try
        {
            Dictionary<string, string?> Settings(string refresh) => new()
            {
                ["Backfill:DataDirectory"] = dir,
                ["Backfill:SecretKey"] = key,
                ["Platforms:demo:Shops:40001:RefreshToken"] = $"{refresh}-40001",
                ["Platforms:demo:Shops:40002:RefreshToken"] = $"{refresh}-40002",
                ["Platforms:demo:Shops:40003:RefreshToken"] = $"{refresh}-40003",
            };

            await using (var first = await ServerHarness.StartAsync(settings: Settings("seed-one")))
            {
                using var added = await first.Http.PostAsync("/api/platforms/demo/shops", Json("""{"shop": "40002", "refreshToken": "api-brought-40002"}"""));
                Assert.Equal(HttpStatusCode.OK, added.StatusCode);

                // What a refresh leaves behind: a rotated refresh token and a newer access token version.
                first.App.Services.GetRequiredService<ShopStore>().Update("demo", "40003", r =>
                {
                    r!.RefreshToken = box.Seal("rotated-40003", ShopTokenContext.Refresh("demo", "40003"));
                    r.TokenVersion = 1;
                    return r;
                });
            }

            var logs = new LogCapture();
            await using var second = await ServerHarness.StartAsync(settings: Settings("seed-two"), logs: logs);
            var store = second.App.Services.GetRequiredService<ShopStore>();
            string Refresh(string shop) => box.Open(store.Find("demo", shop)!.RefreshToken!, ShopTokenContext.Refresh("demo", shop));

            Assert.Equal("seed-two-40001", Refresh("40001"));
            Assert.Equal("api-brought-40002", Refresh("40002"));
            Assert.Equal("rotated-40003", Refresh("40003"));
            Assert.Contains(logs.Lines, l => l.Contains("Shop demo/40001: the configuration's tokens changed and the registry still held the old ones: took the new ones", StringComparison.Ordinal));
            Assert.Contains(logs.Lines, l => l.Contains("Shop demo/40003: the configuration's tokens differ from the registry's, which has moved on", StringComparison.Ordinal));
            Assert.False(Holds(string.Join('\n', logs.Lines), ["seed-one", "seed-two", "api-brought", "rotated-4"], out var found), found);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
