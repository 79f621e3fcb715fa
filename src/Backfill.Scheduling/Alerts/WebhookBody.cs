using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Backfill.Scheduling.Alerts;

/// <summary>
/// An alert as a webhook receives it: UTF-8 JSON, <c>{"version":1,"event","key","at","summary",…facts}</c>, facts that do
/// not apply left out; and its signature. Receivers check <see cref="SignatureHeader"/> by computing the HMAC-SHA256 of the
/// exact body bytes with the webhook's secret. Pure.
/// </summary>
public static class WebhookBody
{
    /// <summary>The body's shape; a receiver reading an unknown version should refuse it rather than guess.</summary>
    public const int Version = 1;

    public const string SignatureHeader = "X-Backfill-Signature";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Errors quote platforms' words: keep them readable, '<' and '&' included.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Of(Alert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        return JsonSerializer.SerializeToUtf8Bytes(new Wire(
            Version, alert.Event, alert.Key, Alert.Instant(alert.At), alert.Summary, alert.Job, alert.Platform, alert.Shop, alert.Slice, alert.Attempt, alert.State, alert.Error,
            alert.Until is { } until ? Alert.Instant(until) : null, alert.Subject, alert.Counts,
            alert.Slices?.Select(s => new WireSlice(s.Slice, s.Shop, s.Attempt, Alert.Instant(s.At), s.Error, s.Failure)).ToList()), Json);
    }

    /// <summary><c>sha256=</c> and the lowercase hex HMAC-SHA256 of <paramref name="body"/> under <paramref name="secret"/> (UTF-8).</summary>
    public static string Signature(string secret, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
    }

    private sealed record Wire(
        int Version, string Event, string Key, string At, string Summary, string? Job, string? Platform, string? Shop, string? Slice, int? Attempt, string? State, string? Error,
        string? Until, string? Subject, IReadOnlyDictionary<string, long>? Counts, IReadOnlyList<WireSlice>? Slices);

    private sealed record WireSlice(string Slice, string Shop, int Attempt, string At, string? Error, string? Failure);
}
