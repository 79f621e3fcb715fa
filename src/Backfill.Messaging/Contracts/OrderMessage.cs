using System.Text.Json.Serialization;

namespace Backfill.Messaging.Contracts;

/// <summary>An order on the order topic, keyed by <see cref="Key"/> (JSON v1).</summary>
public sealed record OrderMessage : IMessage
{
    public const int CurrentVersion = 1;

    public static int Version => CurrentVersion;

    [JsonRequired] public int V { get; init; } = CurrentVersion;

    [JsonRequired] public string Platform { get; init; } = "";

    [JsonRequired] public string Shop { get; init; } = "";

    [JsonRequired] public string OrderSn { get; init; } = "";

    public string Status { get; init; } = "";

    public DateTimeOffset CreateTime { get; init; }

    public DateTimeOffset UpdateTime { get; init; }

    public decimal TotalAmount { get; init; }

    public string Currency { get; init; } = "";

    public string Job { get; init; } = "";

    public string Slice { get; init; } = "";

    /// <summary><c>platform:shop:order_sn</c>: spreads load and keeps each order's updates in order (R8).</summary>
    [JsonIgnore]
    public string Key => $"{Platform}:{Shop}:{OrderSn}";
}
