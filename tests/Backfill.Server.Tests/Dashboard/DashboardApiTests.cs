using System.Net;
using System.Text.RegularExpressions;

namespace Backfill.Server.Tests.Dashboard;

[Trait("Category", "Integration")]
public sealed partial class DashboardApiTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private const string Policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private HttpClient Http => fixture.Harness.Http;

    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/dashboard/app.js", "text/javascript")]
    [InlineData("/dashboard/app.css", "text/css")]
    [InlineData("/dashboard/icon.svg", "image/svg+xml")]
    public async Task Files_AreServedOpenly_WithAPolicyThatAllowsOnlyThisOrigin(string path, string mediaType)
    {
        using var response = await Http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Policy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.NotEmpty(await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Page_HasNoInlineScriptStyleOrHandlers_AndLoadsItsOwnFilesOnly()
    {
        var html = await Http.GetStringAsync("/");

        Assert.Equal(["/dashboard/app.js"], ScriptSources().Matches(html).Select(m => m.Groups[1].Value));
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotMatch(InlineAttributes(), html);
        var links = Links().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(links);
        Assert.All(links, link => Assert.Matches("^/[^/]", link));
    }

    [Fact]
    public async Task Script_PutsServerStringsIntoTheDomAsTextOnly()
    {
        var script = await Http.GetStringAsync("/dashboard/app.js");

        foreach (var sink in new[] { "innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function" })
        {
            Assert.DoesNotContain(sink, script, StringComparison.Ordinal);
        }

        Assert.Contains("textContent", script, StringComparison.Ordinal);
    }

    [GeneratedRegex("\\s(?:src|href)=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex Links();

    [GeneratedRegex("<script[^>]*\\ssrc=\"([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSources();

    [GeneratedRegex("<script(?![^>]*\\ssrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex("\\s(style|on[a-z]+)\\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex InlineAttributes();
}
