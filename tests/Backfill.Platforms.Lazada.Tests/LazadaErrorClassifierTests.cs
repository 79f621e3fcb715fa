
namespace Backfill.Platforms.Lazada.Tests;

public sealed class LazadaErrorClassifierTests
{
    private const string Platform = "lzd";

    private static PlatformException? Classify(string code, string type = "ISV", string message = "", int status = 200, TimeSpan? retryAfter = null) =>
        LazadaErrorClassifier.Classify(Platform, status, retryAfter, new LazadaEnvelope(code, type, message, "0b1234"));

    [Fact]
    public void Classify_CodeZero_IsASuccess()
    {
        Assert.Null(Classify("0"));
    }

    [Fact]
    public void Classify_ApiCallLimit_IsAThrottle_ForAsLongAsTheBanLasts()
    {
        var failure = Classify("ApiCallLimit", message: "The request has exceeded the call limit of this app. The ban will last 3 seconds.");

        Assert.Equal((PlatformErrorKind.Throttle, "ApiCallLimit", TimeSpan.FromSeconds(3)), (failure!.Kind, failure.Code, failure.RetryAfter));
    }

    [Fact]
    public void Classify_ApiCallLimit_WithoutABan_KeepsTheRetryAfterHeader()
    {
        var failure = Classify("ApiCallLimit", message: "Too fast.", retryAfter: TimeSpan.FromSeconds(2));

        Assert.Equal((PlatformErrorKind.Throttle, TimeSpan.FromSeconds(2)), (failure!.Kind, failure.RetryAfter));
    }

    [Fact]
    public void Classify_AppCallLimit_IsAQuotaRefusal_UntilTheResetItNames()
    {
        var failure = Classify("AppCallLimit", message: "The app's calls for this period are spent; the ban will last 42 seconds, until 2026-08-02T00:00:00+08:00.");

        Assert.Equal((PlatformErrorKind.Quota, "AppCallLimit", TimeSpan.FromSeconds(42)), (failure!.Kind, failure.Code, failure.RetryAfter));
    }

    [Fact]
    public void Classify_IllegalAccessToken_IsAnExpiredToken()
    {
        Assert.Equal(PlatformErrorKind.TokenExpired, Classify("IllegalAccessToken", message: "The access token has expired.")!.Kind);
    }

    [Theory]
    [InlineData("InternalError", "ISV")]
    [InlineData("ServiceUnavailable", "ISP")]
    [InlineData("AnythingElse", "isp")]
    public void Classify_ThePlatformsFault_IsTransient(string code, string type)
    {
        Assert.Equal((PlatformErrorKind.Transient, code), (Classify(code, type)!.Kind, Classify(code, type)!.Code));
    }

    [Theory]
    [InlineData("IncompleteSignature")]
    [InlineData("InvalidTimestamp")]
    [InlineData("InvalidParameter")]
    [InlineData("IllegalRefreshToken")]
    public void Classify_TheCallersFault_IsPermanent(string code)
    {
        Assert.Equal(PlatformErrorKind.Permanent, Classify(code)!.Kind);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public void Classify_Http5xx_IsTransient_WithOrWithoutABody(int status)
    {
        Assert.Equal((PlatformErrorKind.Transient, $"http_{status}"), (LazadaErrorClassifier.Classify(Platform, status, null, null)!.Kind, LazadaErrorClassifier.Classify(Platform, status, null, null)!.Code));
    }

    [Fact]
    public void Classify_Http429_IsAThrottle_WithItsRetryAfter()
    {
        var failure = LazadaErrorClassifier.Classify(Platform, 429, TimeSpan.FromSeconds(5), null);

        Assert.Equal((PlatformErrorKind.Throttle, TimeSpan.FromSeconds(5)), (failure!.Kind, failure.RetryAfter));
    }

    [Fact]
    public void Classify_NoEnvelope_IsATransientBadResponse()
    {
        Assert.Equal((PlatformErrorKind.Transient, "bad_response"), (LazadaErrorClassifier.Classify(Platform, 200, null, null)!.Kind, LazadaErrorClassifier.Classify(Platform, 200, null, null)!.Code));
    }

    [Fact]
    public void Classify_TheMessage_HasThePlatformsWordsTypeAndRequestId()
    {
        var failure = Classify("InvalidParameter", message: "offset must be at most 5000.");

        Assert.Equal("lzd: InvalidParameter: offset must be at most 5000. (HTTP 200, type ISV, request_id 0b1234)", failure!.Message);
    }
}
