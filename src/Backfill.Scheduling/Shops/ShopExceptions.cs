namespace Backfill.Scheduling.Shops;

/// <summary>No such shop in the registry. The message names it.</summary>
public sealed class ShopNotFoundException(string platform, string shop)
    : Exception($"No shop '{shop}' is registered for platform {platform} ('backfill shops --platform {platform}' lists them).");

/// <summary>
/// An operator's command on a shop that its state, its jobs or the scheduler's configuration do not allow; the message
/// says why and what to do instead, never a token.
/// </summary>
public sealed class ShopCommandRefusedException(string message) : Exception(message);
