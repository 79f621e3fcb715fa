namespace Backfill.Platforms.Shopee;

/// <summary>The fields every answer carries; read first so an error is seen even when the payload would not parse.</summary>
public sealed record ShopeeErrorEnvelope(string? Error = null, string? Message = null, string? RequestId = null);

/// <summary>A successful answer with its payload.</summary>
public sealed record ShopeeEnvelope<T>(T Response, string? Error = null, string? Message = null, string? RequestId = null)
    where T : class;
