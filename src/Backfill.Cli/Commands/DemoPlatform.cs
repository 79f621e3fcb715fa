using System.Globalization;
using Backfill.Core.Data;

namespace Backfill.Cli.Commands;

/// <summary>
/// A platform the demo can run against its built-in simulator: the name <c>--platforms</c> takes, the configured platform
/// (<c>Platforms:{Configured}</c>) whose limit and credentials it uses, what its adapter can pull, and how it names shops.
/// </summary>
internal sealed record DemoPlatform(string Name, string Configured, Datasets Data, string TokenPrefix, bool NamedSellers)
{
    public static readonly DemoPlatform Shopee = new("shopee", "demo", Datasets.Orders | Datasets.Finance | Datasets.Returns, "demo", NamedSellers: false);

    public static readonly DemoPlatform Lazada = new("lazada", "lazada", Datasets.Orders, "demo-lazada", NamedSellers: true);

    public static readonly IReadOnlyList<DemoPlatform> Known = [Shopee, Lazada];

    /// <summary>The <paramref name="index"/>-th shop (from 0): Shopee's numeric ids 10001, 10002, …; Lazada's sellers by the operator's names seller-a, …, seller-z, seller-aa, ….</summary>
    public string Shop(int index) => NamedSellers
        ? "seller-" + Letters(index)
        : (10_001 + index).ToString(CultureInfo.InvariantCulture);

    public string AccessToken(string shop) => $"{TokenPrefix}-token-{shop}";

    public string RefreshToken(string shop) => $"{TokenPrefix}-refresh-{shop}";

    /// <summary>The platforms of a comma list (repeatable), each once, in the order given; null and a problem naming the known ones for an unknown name.</summary>
    public static IReadOnlyList<DemoPlatform>? Parse(IEnumerable<string> lists, out string? problem)
    {
        var chosen = new List<DemoPlatform>();
        foreach (var name in lists.SelectMany(l => l.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var known = Known.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                problem = $"unknown platform '{name}'; the demo simulates {string.Join(", ", Known.Select(p => p.Name))}.";
                return null;
            }

            if (!chosen.Contains(known))
            {
                chosen.Add(known);
            }
        }

        problem = chosen.Count == 0 ? $"name at least one platform of {string.Join(", ", Known.Select(p => p.Name))}." : null;
        return problem is null ? chosen : null;
    }

    /// <summary>Why <paramref name="data"/> cannot be pulled from every platform of <paramref name="platforms"/>; null when it can.</summary>
    public static string? DataProblem(IReadOnlyList<DemoPlatform> platforms, Datasets data) =>
        platforms.FirstOrDefault(p => (data & ~p.Data) != 0) is { } narrow
            ? $"{narrow.Name} pulls {DatasetNames.Format(narrow.Data)} only, not {DatasetNames.Format(data & ~narrow.Data)}: leave {narrow.Name} out of --platforms, or pull --data {DatasetNames.Format(narrow.Data)}."
            : null;

    /// <summary>a, …, z, aa, ab, …: a name for every index.</summary>
    private static string Letters(int index)
    {
        var letters = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('a' + ((n - 1) % 26)) + letters;
        }

        return letters;
    }
}
