namespace Backfill.Platforms.Configuration;

/// <summary>The values <see cref="PlatformOptions.Kind"/> accepts.</summary>
internal static class PlatformKinds
{
    public const string Shopee = "shopee";

    public static readonly IReadOnlyList<string> Supported = [Shopee];

    public static bool IsSupported(string? kind) => Supported.Contains(kind, StringComparer.OrdinalIgnoreCase);
}
