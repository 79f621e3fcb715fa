using System.Text;
using Backfill.Messaging.Contracts;

namespace Backfill.Messaging.Tests.Contracts;

public sealed class MessageCodecTests
{
    private static readonly ActionMessage Action = new()
    {
        Job = "j", Slice = "j/1/20240101", Attempt = 2, Step = 3, Platform = "shopee", Shop = "1",
        From = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)), To = new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.FromHours(8)),
        Cursor = "c", Lane = 1, Lanes = 4,
    };

    [Fact]
    public void Action_RoundTrips_WithItsDeterministicId()
    {
        var decoded = MessageCodec.Decode<ActionMessage>(MessageCodec.Encode(Action));

        Assert.Equal(Action, decoded);
        Assert.Equal("j/1/20240101#2.3", decoded.Id);
    }

    [Fact]
    public void Encode_IsVersionedCamelCaseJson()
    {
        var json = Encoding.UTF8.GetString(MessageCodec.Encode(Action));

        Assert.StartsWith("""{"v":1,""", json, StringComparison.Ordinal);
        Assert.Contains("\"lane\":1,\"lanes\":4", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{not json", "not a valid ActionMessage")]
    [InlineData("null", "null")]
    [InlineData("""{"v":1,"job":"j"}""", "missing required")]
    public void Decode_Garbage_IsMalformed(string text, string expected)
    {
        var error = Assert.Throws<MalformedMessageException>(() => MessageCodec.Decode<ActionMessage>(Encoding.UTF8.GetBytes(text)));

        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Decode_UnknownVersion_IsRefusedNotGuessed()
    {
        var error = Assert.Throws<MalformedMessageException>(() => MessageCodec.Decode<ActionMessage>(MessageCodec.Encode(Action with { V = 2 })));

        Assert.Contains("version 2 is not supported", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ReversedRange_IsMalformed() =>
        Assert.Throws<MalformedMessageException>(() => MessageCodec.Decode<ActionMessage>(MessageCodec.Encode(Action with { To = Action.From })));

    [Fact]
    public void Decode_UnknownFields_AreIgnoredForForwardCompatibility()
    {
        var json = Encoding.UTF8.GetString(MessageCodec.Encode(new ControlMessage { Kind = ControlKind.JobState, Job = "j", State = "paused" })).Replace("}", ",\"extra\":1}", StringComparison.Ordinal);

        Assert.Equal("paused", MessageCodec.Decode<ControlMessage>(Encoding.UTF8.GetBytes(json)).State);
    }

    [Fact]
    public void Order_KeyIsPlatformShopOrderSn() =>
        Assert.Equal("shopee:1:220110DYQX6AH5", new OrderMessage { Platform = "shopee", Shop = "1", OrderSn = "220110DYQX6AH5" }.Key);

    [Fact]
    public void Topics_AreNamespacedPerEnvironment()
    {
        var topics = new Topics.TopicNames("staging");

        Assert.Equal(["staging.actions", "staging.orders", "staging.progress", "staging.actions.dlq", "staging.control"], topics.Specs(new TopicPartitionOptions()).Select(t => t.Name));
        Assert.Equal("staging.workers", topics.WorkerGroup);
    }
}
