namespace Backfill.Storage;

/// <summary>A saved order. The id is <c>platform:shop:order_sn</c>, so saving it again is an update (R10).</summary>
public sealed class OrderDocument
{
    public string Id { get; set; } = "";

    public string Platform { get; set; } = "";

    public string Shop { get; set; } = "";

    /// <summary><c>platform:shop</c>, indexed with the times for per-shop range counts.</summary>
    public string ShopKey { get; set; } = "";

    public string OrderSn { get; set; } = "";

    public string Status { get; set; } = "";

    /// <summary>Unix seconds.</summary>
    public long CreateTime { get; set; }

    /// <summary>Unix seconds.</summary>
    public long UpdateTime { get; set; }

    public decimal TotalAmount { get; set; }

    public string Currency { get; set; } = "";

    /// <summary>The job and slice that wrote it last.</summary>
    public string JobId { get; set; } = "";

    public string SliceId { get; set; } = "";

    /// <summary>How many times it was delivered; more than one means the sink absorbed duplicates.</summary>
    public int Writes { get; set; }

    public DateTimeOffset SavedAt { get; set; }

    public static string MakeId(string platform, string shop, string orderSn) => $"{platform}:{shop}:{orderSn}";
}
