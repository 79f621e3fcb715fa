using System.Text;
using System.Text.Json.Serialization;
using Backfill.Messaging.Contracts;

namespace Backfill.Messaging.Tests.Contracts;

public sealed class ControlMessageTests
{
    private static readonly DateTimeOffset Until = new(2024, 5, 1, 2, 30, 3, TimeSpan.Zero);

    [Fact]
    public void Throttle_RoundTrips_KeyedByPlatform_WithTheProcessThatMetIt()
    {
        var message = ControlMessage.Throttle("Demo", Until, "host-42-abc", "throttled in worker host-42");

        var decoded = MessageCodec.Decode<ControlMessage>(MessageCodec.Encode(message));

        Assert.Equal(message, decoded);
        Assert.Equal(ControlKind.Throttle, decoded.Kind);
        Assert.Equal("throttle:demo", decoded.Key);
        Assert.Contains("\"kind\":\"throttle\"", Encoding.UTF8.GetString(MessageCodec.Encode(message)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"v":1,"kind":"throttle","until":"2024-05-01T02:30:03+00:00","process":"p"}""")]
    [InlineData("""{"v":1,"kind":"throttle","platform":"demo","process":"p"}""")]
    [InlineData("""{"v":1,"kind":"throttle","platform":"demo","until":"2024-05-01T02:30:03+00:00"}""")]
    public void Throttle_WithoutPlatformUntilOrProcess_IsMalformed(string json)
    {
        var error = Assert.Throws<MalformedMessageException>(() => MessageCodec.Decode<ControlMessage>(Encoding.UTF8.GetBytes(json)));

        Assert.Contains("a throttle needs platform, until and process", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RateLimit_CarriesTheLimitAndTheSafetyMargin_KeyedByPlatform()
    {
        var message = ControlMessage.RateLimit("Demo", 12, "operator", 0.2);

        var decoded = MessageCodec.Decode<ControlMessage>(MessageCodec.Encode(message));

        Assert.Equal(message, decoded);
        Assert.Equal((12, 0.2), (decoded.PermitsPerSecond, decoded.SafetyMargin));
        Assert.Equal("limit:demo", decoded.Key);
    }

    [Theory]
    [InlineData("""{"v":1,"kind":"rateLimit","platform":"demo","safetyMargin":1}""")]
    [InlineData("""{"v":1,"kind":"rateLimit","platform":"demo","safetyMargin":-0.1}""")]
    public void RateLimit_WithAMarginOutsideZeroToOne_IsMalformed(string json)
    {
        var error = Assert.Throws<MalformedMessageException>(() => MessageCodec.Decode<ControlMessage>(Encoding.UTF8.GetBytes(json)));

        Assert.Contains("a rate limit needs safetyMargin of at least 0 and less than 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOlderReader_CannotDecodeTheNewKind_AndSkipsIt_WhileTheKindsItKnowsStillDecode()
    {
        // The contract as a reader built before the throttle kind has it: every control reader skips what it cannot decode.
        var throttle = MessageCodec.Encode(ControlMessage.Throttle("demo", Until, "p", "r"));
        var cancel = MessageCodec.Encode(ControlMessage.JobStateOf("j", ControlMessage.Cancelled, "operator"));

        Assert.Throws<MalformedMessageException>(() => MessageCodec.Decode<OlderControlMessage>(throttle));
        Assert.Equal("j", MessageCodec.Decode<OlderControlMessage>(cancel).Job);
    }

    private enum OlderKind
    {
        JobState,
        CoolOff,
        RateLimit,
    }

    private sealed record OlderControlMessage : IMessage
    {
        public static int Version => 1;

        [JsonRequired] public int V { get; init; }

        [JsonRequired] public OlderKind Kind { get; init; }

        public string? Job { get; init; }

        public string? Problem() => null;
    }
}
