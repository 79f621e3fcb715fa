
namespace Backfill.Platforms.Shopee.Tests;

public sealed class ShopeeErrorClassifierTests
{
    private const string Platform = "demo";

    private static ShopeeErrorEnvelope Error(string error, string message = "", string requestId = "") => new(error, message, requestId);

    [Fact]
    public void Classify_Http429_IsThrottle()
    {
        var failure = ShopeeErrorClassifier.Classify(Platform, 429, TimeSpan.FromSeconds(3), null);

        Assert.NotNull(failure);
        Assert.Equal(PlatformErrorKind.Throttle, failure.Kind);
        Assert.Equal("too_many_request", failure.Code);
        Assert.Equal(TimeSpan.FromSeconds(3), failure.RetryAfter);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(403)]
    [InlineData(500)]
    public void Classify_TooManyRequestError_IsThrottleWhateverTheStatus(int status)
    {
        var failure = ShopeeErrorClassifier.Classify(Platform, status, null, Error("error_too_many_request"));

        Assert.Equal(PlatformErrorKind.Throttle, failure?.Kind);
        Assert.Equal("error_too_many_request", failure?.Code);
        Assert.Null(failure?.RetryAfter);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    public void Classify_Http5xx_IsTransient(int status)
    {
        var failure = ShopeeErrorClassifier.Classify(Platform, status, null, null);

        Assert.Equal(PlatformErrorKind.Transient, failure?.Kind);
        Assert.Equal($"http_{status}", failure?.Code);
    }

    [Fact]
    public void Classify_ErrorServer_IsTransient()
    {
        var failure = ShopeeErrorClassifier.Classify(Platform, 200, null, Error("error_server"));

        Assert.Equal(PlatformErrorKind.Transient, failure?.Kind);
        Assert.Equal("error_server", failure?.Code);
    }

    [Theory]
    [InlineData("error_param", 200)]
    [InlineData("error_auth", 403)]
    [InlineData("error_sign", 403)]
    [InlineData("error_permission", 200)]
    [InlineData("error_something_new", 400)]
    public void Classify_OtherErrors_ArePermanent(string error, int status)
    {
        var failure = ShopeeErrorClassifier.Classify(Platform, status, null, Error(error));

        Assert.Equal(PlatformErrorKind.Permanent, failure?.Kind);
        Assert.Equal(error, failure?.Code);
    }

    [Theory]
    [InlineData("invalid_acceess_token", "Invalid access_token.")]
    [InlineData("invalid_access_token", "Invalid access_token: the token has expired, refresh it.")]
    [InlineData("error_auth", "Invalid access_token.")]
    [InlineData("error_auth", "The access token has expired.")]
    [InlineData("ERROR_AUTH", "invalid ACCESS_TOKEN")]
    public void Classify_AnExpiredOrRefusedAccessToken_IsTokenExpired(string error, string message)
    {
        var failure = ShopeeErrorClassifier.Classify(Platform, 403, null, Error(error, message));

        Assert.Equal(PlatformErrorKind.TokenExpired, failure?.Kind);
        Assert.Equal(error, failure?.Code);
    }

    [Theory]
    [InlineData("error_auth", "Invalid refresh_token.")]
    [InlineData("error_auth", "The shop's authorization has expired.")]
    [InlineData("error_auth", "")]
    [InlineData("error_permission", "No permission for access_token of another shop.")]
    public void Classify_AnAuthErrorNotAboutTheAccessToken_StaysPermanent(string error, string message)
    {
        var failure = ShopeeErrorClassifier.Classify(Platform, 403, null, Error(error, message));

        Assert.Equal(PlatformErrorKind.Permanent, failure?.Kind);
    }

    [Fact]
    public void Classify_Http404WithoutError_IsPermanent()
    {
        var failure = ShopeeErrorClassifier.Classify(Platform, 404, null, null);

        Assert.Equal(PlatformErrorKind.Permanent, failure?.Kind);
        Assert.Equal("http_404", failure?.Code);
    }

    [Fact]
    public void Classify_Http200WithUnparseableBody_IsTransientBadResponse()
    {
        var failure = ShopeeErrorClassifier.Classify(Platform, 200, null, null);

        Assert.Equal(PlatformErrorKind.Transient, failure?.Kind);
        Assert.Equal("bad_response", failure?.Code);
    }

    [Fact]
    public void Classify_Http200WithEmptyError_IsSuccess()
    {
        Assert.Null(ShopeeErrorClassifier.Classify(Platform, 200, null, Error("")));
    }

    [Fact]
    public void Classify_Message_CarriesPlatformMessageStatusAndRequestId()
    {
        var failure = ShopeeErrorClassifier.Classify(Platform, 403, null, Error("error_auth", "Invalid access_token.", "req-42"));

        Assert.Equal("demo: error_auth: Invalid access_token. (HTTP 403, request_id req-42)", failure?.Message);
        Assert.Equal(Platform, failure?.Platform);
    }
}
