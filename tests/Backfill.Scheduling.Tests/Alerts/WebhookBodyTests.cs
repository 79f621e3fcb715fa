using System.Text;
using System.Text.Json;
using Backfill.Scheduling.Alerts;

namespace Backfill.Scheduling.Tests.Alerts;

public sealed class WebhookBodyTests
{
    private static readonly DateTimeOffset At = new(2024, 6, 1, 8, 30, 0, TimeSpan.FromHours(8));
    private static readonly string[] BatchMembers = ["version", "event", "key", "at", "summary", "job", "platform", "slices"];

    [Fact]
    public void Signature_IsTheLowercaseHexHmacSha256OfTheBytes_UnderTheSecret()
    {
        // The published HMAC-SHA256 example: key "key", the pangram.
        var signature = WebhookBody.Signature("key", Encoding.UTF8.GetBytes("The quick brown fox jumps over the lazy dog"));

        Assert.Equal("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8", signature);
    }

    [Fact]
    public void Body_OfASliceFailedBatch_IsVersionedJson_WithEventKeyTimeAndFacts_NothingThatDoesNotApply()
    {
        var slices = new[]
        {
            new FailedSlice("j/1/20240101", "1", 1, At, "error_auth: invalid token <shop 1>", "Permanent"),
            new FailedSlice("j/1/20240102", "1", 2, At.AddSeconds(5), "timeout", null),
        };

        var body = JsonDocument.Parse(WebhookBody.Of(Alert.SlicesFailed("j", "shopee", slices, At, At.AddMinutes(1)))).RootElement;

        Assert.Equal(BatchMembers, body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, body.GetProperty("version").GetInt32());
        Assert.Equal("slice.failed", body.GetProperty("event").GetString());
        Assert.Equal("slice.failed:j:2024-06-01T00:30:00.000Z", body.GetProperty("key").GetString());
        Assert.Equal("2024-06-01T00:31:00.000Z", body.GetProperty("at").GetString());
        Assert.Equal(("j", "shopee"), (body.GetProperty("job").GetString(), body.GetProperty("platform").GetString()));
        var first = body.GetProperty("slices")[0];
        Assert.Equal(("j/1/20240101", "1", 1, "error_auth: invalid token <shop 1>", "Permanent"),
            (first.GetProperty("slice").GetString(), first.GetProperty("shop").GetString(), first.GetProperty("attempt").GetInt32(), first.GetProperty("error").GetString(), first.GetProperty("failure").GetString()));
        Assert.False(body.GetProperty("slices")[1].TryGetProperty("failure", out _));
    }

    [Fact]
    public void Body_OfACoolOff_CarriesThePlatformAndWhenItEnds()
    {
        var body = JsonDocument.Parse(WebhookBody.Of(Alert.CoolOff("shopee", At.AddMinutes(1), "breaker opened in worker w1", At))).RootElement;

        Assert.Equal("platform.cooloff", body.GetProperty("event").GetString());
        Assert.Equal("platform.cooloff:shopee:2024-06-01T00:31:00.000Z", body.GetProperty("key").GetString());
        Assert.Equal("2024-06-01T00:31:00.000Z", body.GetProperty("until").GetString());
        Assert.Equal("breaker opened in worker w1", body.GetProperty("error").GetString());
    }
}
