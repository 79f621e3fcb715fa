using Backfill.Server.Auth;

namespace Backfill.Server.Tests.Auth;

public sealed class CrossSiteRuleTests
{
    [Theory]
    [InlineData("http://127.0.0.1:5080", "127.0.0.1:5080")]
    [InlineData("http://LOCALHOST:5080", "localhost:5080")]
    [InlineData("http://[::1]:5080", "[::1]:5080")]
    [InlineData("https://backfill.example.com", "backfill.example.com")]
    [InlineData("https://backfill.example.com", "backfill.example.com:443")]
    [InlineData("http://backfill.example.com", "backfill.example.com:80")]
    public void IsOwnOrigin_TheHostAndPortAsked_IsTrue(string origin, string host) =>
        Assert.True(CrossSiteRule.IsOwnOrigin(origin, host));

    [Theory]
    [InlineData("http://evil.example", "127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:8080", "127.0.0.1:5080")]
    [InlineData("http://127.0.0.1", "127.0.0.1:5080")]
    [InlineData("https://127.0.0.1:5080", "127.0.0.1")]
    [InlineData("null", "127.0.0.1:5080")]
    [InlineData("file://", "127.0.0.1:5080")]
    [InlineData("chrome-extension://abcdef", "127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:5080/page", "127.0.0.1:5080")]
    [InlineData("", "127.0.0.1:5080")]
    [InlineData("http://127.0.0.1:5080", "")]
    [InlineData("http://127.0.0.1:5080", null)]
    public void IsOwnOrigin_AnotherSiteOrAnythingOdd_IsFalse(string origin, string? host) =>
        Assert.False(CrossSiteRule.IsOwnOrigin(origin, host));

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("Application/JSON; Charset=UTF-8", true)]
    [InlineData(null, false)]
    [InlineData("application/json", false)]
    public void BodyProblem_JsonOrNothingAtAll_IsNone(string? contentType, bool hasBody) =>
        Assert.Null(CrossSiteRule.BodyProblem(contentType, hasBody));

    [Theory]
    [InlineData("text/plain;charset=UTF-8", true, "is 'text/plain;charset=UTF-8', not JSON")]
    [InlineData("text/plain", false, "not JSON")]
    [InlineData("application/x-www-form-urlencoded", true, "not JSON")]
    [InlineData("multipart/form-data; boundary=x", true, "not JSON")]
    [InlineData("application/problem+json", true, "not JSON")]
    [InlineData("application/json; charset=utf-16", true, "charset is 'utf-16'")]
    [InlineData("not a media type", true, "not JSON")]
    [InlineData(null, true, "has no Content-Type")]
    public void BodyProblem_AnythingElse_SaysWhatToSend(string? contentType, bool hasBody, string says)
    {
        var problem = CrossSiteRule.BodyProblem(contentType, hasBody);

        Assert.NotNull(problem);
        Assert.Contains(says, problem, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/json", problem, StringComparison.Ordinal);
    }
}
