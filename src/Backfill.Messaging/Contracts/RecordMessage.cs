using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Backfill.Core.Data;

namespace Backfill.Messaging.Contracts;

/// <summary>
/// One platform record on its dataset's topic (<c>NS.orders</c>, <c>NS.finance</c>, <c>NS.returns</c>), keyed by
/// <see cref="Key"/> (JSON v2): the record exactly as the platform returned it, plus the keys the product needs. Small
/// records travel as JSON (<see cref="Record"/>); one whose JSON exceeds <see cref="CompressAbove"/> bytes travels
/// gzipped, base64 (<see cref="RecordGzip"/>). Version 2 replaced the six-field order of version 1: a reader of version 1
/// refuses it, saying which version it met.
/// </summary>
public sealed record RecordMessage : IMessage
{
    public const int CurrentVersion = 2;

    /// <summary>A record's JSON above this many bytes is sent gzipped (an order with many items runs to tens of kilobytes).</summary>
    public const int CompressAbove = 8 * 1024;

    public static int Version => CurrentVersion;

    [JsonRequired] public int V { get; init; } = CurrentVersion;

    [JsonRequired] public string Platform { get; init; } = "";

    [JsonRequired] public string Shop { get; init; } = "";

    /// <summary>Exactly one dataset.</summary>
    [JsonRequired] public Datasets Dataset { get; init; }

    /// <summary>The record's id at the platform: an order's <c>order_sn</c> (orders, finance), a return's <c>return_sn</c>.</summary>
    [JsonRequired] public string Id { get; init; } = "";

    /// <summary>The record's creation at the platform, when it has one.</summary>
    public DateTimeOffset? CreateTime { get; init; }

    /// <summary>The record's last update at the platform, when it has one.</summary>
    public DateTimeOffset? UpdateTime { get; init; }

    /// <summary>The time field the slice's range was read by (<see cref="TimeFields"/>).</summary>
    public string TimeField { get; init; } = TimeFields.CreateTime;

    public string Job { get; init; } = "";

    public string Slice { get; init; } = "";

    /// <summary>The platform's record, when not compressed.</summary>
    public JsonElement? Record { get; init; }

    /// <summary>The platform's record as gzipped UTF-8 JSON, base64, when its JSON is larger than <see cref="CompressAbove"/>.</summary>
    public string? RecordGzip { get; init; }

    /// <summary><c>platform:shop:id</c>: spreads load and keeps each record's deliveries in order (R8).</summary>
    [JsonIgnore]
    public string Key => MakeKey(Platform, Shop, Id);

    public static string MakeKey(string platform, string shop, string id) => $"{platform}:{shop}:{id}";

    /// <summary>The message for <paramref name="json"/> (the platform's record, UTF-8), compressed when large.</summary>
    /// <exception cref="ArgumentException"><paramref name="json"/> is not one JSON value.</exception>
    public static RecordMessage Of(ReadOnlySpan<byte> json, Func<RecordMessage, RecordMessage> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        if (json.Length > CompressAbove)
        {
            using var buffer = new MemoryStream(json.Length / 4);
            using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(json);
            }

            return keys(new RecordMessage { RecordGzip = Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length) });
        }

        try
        {
            return keys(new RecordMessage { Record = JsonElement.Parse(json) });
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"A platform record must be one JSON value: {e.Message}", nameof(json), e);
        }
    }

    /// <summary>The platform's record as UTF-8 JSON, as it came.</summary>
    /// <exception cref="MalformedMessageException">The compressed record does not decompress.</exception>
    public byte[] RecordJson()
    {
        if (RecordGzip is null)
        {
            // The element's text as it came in the message, not written again (which would escape what it need not).
            return Record is { } record ? Encoding.UTF8.GetBytes(record.GetRawText()) : "null"u8.ToArray();
        }

        try
        {
            using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(RecordGzip)), CompressionMode.Decompress);
            using var json = new MemoryStream();
            gzip.CopyTo(json);
            return json.ToArray();
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            throw new MalformedMessageException($"record {Key}: its compressed record does not decompress ({e.Message})", e);
        }
    }

    public string? Problem() =>
        string.IsNullOrWhiteSpace(Platform) || string.IsNullOrWhiteSpace(Shop) || string.IsNullOrWhiteSpace(Id) ? "platform, shop and id are required"
        : !DatasetNames.IsOne(Dataset) ? $"dataset '{Dataset}' is not one dataset"
        : (Record is null || Record.Value.ValueKind == JsonValueKind.Undefined) == (RecordGzip is null) ? "exactly one of record and recordGzip is required"
        : TimeFields.Problem(TimeField);
}
