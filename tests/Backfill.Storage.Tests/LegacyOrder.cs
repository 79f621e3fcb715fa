namespace Backfill.Storage.Tests;

/// <summary>An order as the sink kept it before it kept records whole (six fields): what files of version 2 hold.</summary>
internal sealed class LegacyOrder
{
    public string Id { get; set; } = "";

    public string Platform { get; set; } = "";

    public string Shop { get; set; } = "";

    public string ShopKey { get; set; } = "";

    public string OrderSn { get; set; } = "";

    public string Status { get; set; } = "";

    public long CreateTime { get; set; }

    public long UpdateTime { get; set; }

    public decimal TotalAmount { get; set; }

    public string Currency { get; set; } = "";

    public string JobId { get; set; } = "";

    public string SliceId { get; set; } = "";

    public int Writes { get; set; }

    public DateTimeOffset SavedAt { get; set; }

    public static LegacyOrder Of(string sn, string status = "COMPLETED", int writes = 0, string job = "") => new()
    {
        Id = $"shopee:1:{sn}", Platform = "shopee", Shop = "1", ShopKey = "shopee:1", OrderSn = sn, Status = status, Currency = "TWD", Writes = writes, JobId = job,
        TotalAmount = 12.5m, CreateTime = 1_714_521_600, UpdateTime = 1_714_525_200,
    };
}
