using System.Security.Cryptography;
using System.Text;

namespace Backfill.Core.Secrets;

/// <summary>
/// Seals secrets (shop tokens) for rest and transit under the fleet's key, <c>Backfill:SecretKey</c>: AES-256-GCM with a
/// fresh 96-bit nonce per seal, so a box is <c>nonce | tag | ciphertext</c>. The context (what the secret is, e.g.
/// <c>access:shopee:1001:7</c>) is bound as associated data: a box opened under another context, another key, or
/// changed in any bit fails, never yields a wrong secret. Neither the key nor a secret ever appears in a message here.
/// </summary>
public sealed class SecretBox
{
    /// <summary>Where the fleet's key is configured; every process of the fleet needs the same one.</summary>
    public const string ConfigurationKey = "Backfill:SecretKey";

    /// <summary>The key's length: 32 bytes (AES-256), given as base64 (44 characters).</summary>
    public const int KeyBytes = 32;

    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private readonly byte[] _key;

    private SecretBox(byte[] key) => _key = key;

    /// <summary>A new random key, base64, for <c>Backfill:SecretKey</c>.</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes));

    /// <summary>Why <paramref name="key"/> is not a usable key (never quoting it), or null when it is.</summary>
    public static string? Problem(string? key)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            return "it is empty";
        }

        var bytes = new byte[KeyBytes + 3];
        return Convert.TryFromBase64String(key.Trim(), bytes, out var written) && written == KeyBytes
            ? null
            : $"it must be {KeyBytes} random bytes in base64 ({(KeyBytes + 2) / 3 * 4} characters), e.g. from 'openssl rand -base64 {KeyBytes}'";
    }

    /// <exception cref="ArgumentException">Not a base64 key of <see cref="KeyBytes"/> bytes (<see cref="Problem"/> says why).</exception>
    public static SecretBox FromBase64(string key) =>
        Problem(key) is { } problem
            ? throw new ArgumentException($"The secret key is not usable: {problem}.", nameof(key))
            : new SecretBox(Convert.FromBase64String(key.Trim()));

    public byte[] Seal(string secret, string context)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var plain = Encoding.UTF8.GetBytes(secret);
        var box = new byte[NonceBytes + TagBytes + plain.Length];
        var nonce = box.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, plain, box.AsSpan(NonceBytes + TagBytes), box.AsSpan(NonceBytes, TagBytes), Encoding.UTF8.GetBytes(context));
        CryptographicOperations.ZeroMemory(plain);
        return box;
    }

    /// <exception cref="SecretBoxException">Another key or context, or a box changed or cut.</exception>
    public string Open(byte[] box, string context)
    {
        ArgumentNullException.ThrowIfNull(box);
        if (box.Length < NonceBytes + TagBytes)
        {
            throw new SecretBoxException($"The sealed {Describe(context)} is too short to be a box.");
        }

        var plain = new byte[box.Length - NonceBytes - TagBytes];
        try
        {
            using var aes = new AesGcm(_key, TagBytes);
            aes.Decrypt(box.AsSpan(0, NonceBytes), box.AsSpan(NonceBytes + TagBytes), box.AsSpan(NonceBytes, TagBytes), plain, Encoding.UTF8.GetBytes(context));
            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SecretBoxException($"The sealed {Describe(context)} does not open under this Backfill:SecretKey (another key, or the value was changed).");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>
    /// A keyed fingerprint of <paramref name="secret"/> for <paramref name="context"/> (HMAC-SHA256, hex): the same for
    /// the same secret, context and key, so a stored fingerprint tells whether a secret changed without keeping it, and
    /// without the key it tells nothing of the secret. Its key is derived from this box's key for fingerprints alone.
    /// </summary>
    public string Fingerprint(string secret, string context)
    {
        ArgumentNullException.ThrowIfNull(secret);
        Span<byte> key = stackalloc byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, key, [], "backfill fingerprint"u8);
        var plain = Encoding.UTF8.GetBytes($"{context}\n{secret}");
        try
        {
            return Convert.ToHexStringLower(HMACSHA256.HashData(key, plain));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    // The context names what was sealed (kind, platform, shop): never secret itself.
    private static string Describe(string context) => context.Split(':', 2)[0] switch { "" => "secret", var kind => $"{kind} secret" };
}

/// <summary>A sealed secret that cannot be opened with the key and context given. Its message never holds a secret.</summary>
public sealed class SecretBoxException(string message) : Exception(message);
