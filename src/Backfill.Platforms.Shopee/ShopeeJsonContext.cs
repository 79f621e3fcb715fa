using System.Text.Json.Serialization;

namespace Backfill.Platforms.Shopee;

/// <summary>
/// The wire format, shared by the client and the simulator. Missing or null required members fail to parse,
/// which the reader reports as a transient <c>bad_response</c> instead of handing on half an order.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ShopeeErrorEnvelope))]
[JsonSerializable(typeof(ShopeeEnvelope<OrderListResponse>))]
[JsonSerializable(typeof(AccessTokenRequest))]
[JsonSerializable(typeof(AccessTokenResponse))]
public sealed partial class ShopeeJsonContext : JsonSerializerContext;
