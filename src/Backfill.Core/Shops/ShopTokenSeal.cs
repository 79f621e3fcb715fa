using Backfill.Core.Secrets;

namespace Backfill.Core.Shops;

/// <summary>
/// Seals and opens shop tokens under the fleet's key (<c>Backfill:SecretKey</c>), each bound to what it is
/// (<see cref="ShopTokenContext"/>): an access token opens only as that shop's token of that version. Without a key
/// (<see cref="None"/>) nothing can be sealed or opened, and the fleet keeps to the configuration's tokens.
/// </summary>
public sealed class ShopTokenSeal
{
    private readonly SecretBox? _box;

    private ShopTokenSeal(SecretBox? box) => _box = box;

    /// <summary>No key: tokens are neither stored, refreshed nor announced.</summary>
    public static ShopTokenSeal None { get; } = new(null);

    /// <summary>True when the fleet has a key, and so refreshes tokens.</summary>
    public bool IsEnabled => _box is not null;

    /// <summary>The seal for <paramref name="key"/>, <see cref="None"/> when it is empty. The key was checked at start.</summary>
    public static ShopTokenSeal From(string? key) => string.IsNullOrEmpty(key) ? None : new ShopTokenSeal(SecretBox.FromBase64(key));

    public byte[] SealAccess(string platform, string shop, long version, string token) => Box.Seal(token, ShopTokenContext.Access(platform, shop, version));

    /// <exception cref="SecretBoxException">Sealed under another key, or as another shop's or version's token, or changed.</exception>
    public string OpenAccess(string platform, string shop, long version, byte[] sealedToken) => Box.Open(sealedToken, ShopTokenContext.Access(platform, shop, version));

    public byte[] SealRefresh(string platform, string shop, string token) => Box.Seal(token, ShopTokenContext.Refresh(platform, shop));

    /// <exception cref="SecretBoxException">Sealed under another key, or as another shop's token, or changed.</exception>
    public string OpenRefresh(string platform, string shop, byte[] sealedToken) => Box.Open(sealedToken, ShopTokenContext.Refresh(platform, shop));

    /// <summary>A keyed fingerprint of <paramref name="secret"/> (<see cref="SecretBox.Fingerprint"/>): tells whether it changed without keeping it.</summary>
    public string Fingerprint(string secret, string context) => Box.Fingerprint(secret, context);

    private SecretBox Box => _box ?? throw new InvalidOperationException($"No {SecretBox.ConfigurationKey}: shop tokens are neither sealed nor opened.");
}
