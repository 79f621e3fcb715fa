using System.Text;
using Backfill.Core.Data;
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

        Assert.StartsWith("""{"v":2,""", json, StringComparison.Ordinal);
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
        var error = Assert.Throws<MalformedMessageException>(() => MessageCodec.Decode<ActionMessage>(MessageCodec.Encode(Action with { V = 3 })));

        Assert.Contains("version 3 is not supported (this build reads versions 1 to 2)", error.Message, StringComparison.Ordinal);
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
    public void Action_OfVersion1_ReadsAsOrdersByThePlatformsTimeField_ItsCursorTheLists()
    {
        var v1 = """{"v":1,"job":"j","slice":"j/1/20240101","attempt":1,"step":2,"platform":"shopee","shop":"1","from":"2024-01-01T00:00:00+08:00","to":"2024-01-02T00:00:00+08:00","cursor":"c7","lane":0,"lanes":1}""";

        var action = MessageCodec.Decode<ActionMessage>(Encoding.UTF8.GetBytes(v1));

        Assert.Equal((Datasets.Orders, (string?)null), (action.Data, action.TimeField));
        Assert.Equal(new SliceCursor(SlicePhase.List, "c7"), SliceCursor.Parse(action.Cursor, action.Data));
    }

    [Fact]
    public void Action_WithDatasetsAndAPhasedCursor_RoundTrips_AndAStrangeOneIsMalformed()
    {
        var all = Action with { Data = Datasets.Orders | Datasets.Finance | Datasets.Returns, TimeField = "update_time", Cursor = "returns|2" };
        Assert.Equal(all, MessageCodec.Decode<ActionMessage>(MessageCodec.Encode(all)));

        Assert.Contains("does not belong", Assert.Throws<MalformedMessageException>(() => MessageCodec.Decode<ActionMessage>(MessageCodec.Encode(Action with { Cursor = "returns|2" }))).Message, StringComparison.Ordinal);
        Assert.Contains("not a time field", Assert.Throws<MalformedMessageException>(() => MessageCodec.Decode<ActionMessage>(MessageCodec.Encode(Action with { TimeField = "pay_time" }))).Message, StringComparison.Ordinal);
        Assert.Contains("not a set of datasets", Assert.Throws<MalformedMessageException>(() => MessageCodec.Decode<ActionMessage>(MessageCodec.Encode(Action with { Data = Datasets.None }))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Record_KeyIsPlatformShopId_AndTheRecordComesBackAsItCame()
    {
        var json = """{"order_sn":"220110DYQX6AH5","item_list":[{"item_id":1,"model_quantity_purchased":2}],"total_amount":12.5}"""u8.ToArray();
        var message = RecordMessage.Of(json, m => m with { Platform = "shopee", Shop = "1", Dataset = Datasets.Orders, Id = "220110DYQX6AH5" });

        var decoded = MessageCodec.Decode<RecordMessage>(MessageCodec.Encode(message));

        Assert.Equal("shopee:1:220110DYQX6AH5", decoded.Key);
        Assert.Null(decoded.RecordGzip);
        Assert.Equal(json, decoded.RecordJson());
    }

    [Fact]
    public void Record_ALargeOne_TravelsCompressed_AndComesBackByteForByte()
    {
        var items = string.Join(',', Enumerable.Range(0, 400).Select(i => $$"""{"item_id":{{i}},"item_name":"Item number {{i}} of a long order","model_quantity_purchased":{{i % 5 + 1}}}"""));
        var json = Encoding.UTF8.GetBytes($$"""{"order_sn":"BIG","item_list":[{{items}}]}""");
        var message = RecordMessage.Of(json, m => m with { Platform = "shopee", Shop = "1", Dataset = Datasets.Orders, Id = "BIG" });

        var encoded = MessageCodec.Encode(message);
        var decoded = MessageCodec.Decode<RecordMessage>(encoded);

        Assert.True(json.Length > RecordMessage.CompressAbove);
        Assert.Null(decoded.Record);
        Assert.True(encoded.Length < json.Length / 2, $"{encoded.Length} bytes encoded for {json.Length} of JSON");
        Assert.Equal(json, decoded.RecordJson());
    }

    [Fact]
    public void Record_ReadByAVersion1OrderReader_IsRefusedSayingWhichVersion()
    {
        var record = RecordMessage.Of("{}"u8, m => m with { Platform = "shopee", Shop = "1", Dataset = Datasets.Orders, Id = "X" });

        var error = Assert.Throws<MalformedMessageException>(() => MessageCodec.Decode<OrderV1>(MessageCodec.Encode(record)));

        Assert.Contains("OrderV1 version 2 is not supported (this build reads version 1)", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"v":2,"platform":"shopee","shop":"1","dataset":"orders","id":"X"}""", "exactly one of record and recordGzip")]
    [InlineData("""{"v":2,"platform":"shopee","shop":"1","dataset":"orders, finance","id":"X","record":{}}""", "is not one dataset")]
    [InlineData("""{"v":2,"platform":"shopee","shop":"1","dataset":"orders","id":"X","record":{},"recordGzip":"H4sI"}""", "exactly one of record and recordGzip")]
    public void Record_Malformed_IsRefused(string text, string expected) =>
        Assert.Contains(expected, Assert.Throws<MalformedMessageException>(() => MessageCodec.Decode<RecordMessage>(Encoding.UTF8.GetBytes(text))).Message, StringComparison.Ordinal);

    [Fact]
    public void Record_ACompressedRecordThatDoesNotDecompress_SaysWhich()
    {
        var bad = MessageCodec.Decode<RecordMessage>("""{"v":2,"platform":"shopee","shop":"1","dataset":"finance","id":"X","recordGzip":"bm90IGd6aXA="}"""u8);

        Assert.Contains("record shopee:1:X", Assert.Throws<MalformedMessageException>(() => bad.RecordJson()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Topics_AreNamespacedPerEnvironment()
    {
        var topics = new Topics.TopicNames("staging");

        Assert.Equal(["staging.actions", "staging.orders", "staging.finance", "staging.returns", "staging.progress", "staging.actions.dlq", "staging.control"], topics.Specs(new TopicPartitionOptions()).Select(t => t.Name));
        Assert.Equal("staging.workers", topics.WorkerGroup);
    }

    [Fact]
    public void Record_ItsTextComesBackAsItCame_NonAsciiAndNumbersUnescapedAndUnchanged()
    {
        var json = """{"item_name":"商品 <1> & 'x'","price":12.50,"big":12345678901234567890,"q":"a\"b"}""";
        var sent = RecordMessage.Of(System.Text.Encoding.UTF8.GetBytes(json), m => m with { Platform = "p", Shop = "1", Dataset = Backfill.Core.Data.Datasets.Orders, Id = "A" });

        var read = MessageCodec.Decode<RecordMessage>(MessageCodec.Encode(sent));

        Assert.Equal(json, System.Text.Encoding.UTF8.GetString(read.RecordJson()));
    }

    /// <summary>The order contract of version 1, as a consumer built before records existed reads the orders topic.</summary>
    private sealed record OrderV1 : IMessage
    {
        public static int Version => 1;

        [System.Text.Json.Serialization.JsonRequired] public int V { get; init; } = 1;

        [System.Text.Json.Serialization.JsonRequired] public string Platform { get; init; } = "";

        [System.Text.Json.Serialization.JsonRequired] public string Shop { get; init; } = "";

        [System.Text.Json.Serialization.JsonRequired] public string OrderSn { get; init; } = "";
    }
}
