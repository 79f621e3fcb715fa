using Backfill.Platforms.Lazada;
using Backfill.Platforms.Shopee;

namespace Backfill.Platforms.Configuration;

/// <summary>The platform families this build knows, by <see cref="PlatformOptions.Kind"/>: one line per adapter.</summary>
public static class PlatformKinds
{
    public static readonly IReadOnlyList<IPlatformAdapter> Adapters =
    [
        new ShopeeAdapter(),
        new LazadaAdapter(),
    ];

    public static IReadOnlyList<string> Supported { get; } = [.. Adapters.Select(a => a.Kind)];

    public static bool IsSupported(string? kind) => Find(kind) is not null;

    public static IPlatformAdapter? Find(string? kind) =>
        Adapters.FirstOrDefault(a => string.Equals(a.Kind, kind, StringComparison.OrdinalIgnoreCase));

    /// <summary>The adapter of a platform whose options were validated at start.</summary>
    public static IPlatformAdapter Of(PlatformOptions options) =>
        Find(options.Kind) ?? throw new InvalidOperationException($"Platform kind '{options.Kind}' is not supported (supported: {string.Join(", ", Supported)}).");
}
