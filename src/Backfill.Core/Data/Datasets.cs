namespace Backfill.Core.Data;

/// <summary>
/// What a job pulls of each slice: whole orders (list and detail with every optional field), their finance (the escrow
/// detail of each listed order) and returns (the return list of the slice's range). A record carries exactly one.
/// </summary>
[Flags]
public enum Datasets
{
    None = 0,
    Orders = 1,
    Finance = 2,
    Returns = 4,
}

/// <summary>The datasets' names as the CLI, the API, schedules, topics and the sink spell them.</summary>
public static class DatasetNames
{
    /// <summary>Every dataset, in the order a slice works through them.</summary>
    public static readonly IReadOnlyList<Datasets> All = [Datasets.Orders, Datasets.Finance, Datasets.Returns];

    public const Datasets Default = Datasets.Orders;

    /// <summary><c>orders</c>, <c>finance</c> or <c>returns</c>.</summary>
    /// <exception cref="ArgumentException">Not exactly one dataset.</exception>
    public static string Name(Datasets one) => one switch
    {
        Datasets.Orders => "orders",
        Datasets.Finance => "finance",
        Datasets.Returns => "returns",
        _ => throw new ArgumentException($"'{one}' is not one dataset.", nameof(one)),
    };

    /// <summary>The datasets of <paramref name="data"/>, each alone, in <see cref="All"/>'s order.</summary>
    public static IReadOnlyList<Datasets> Each(Datasets data) => [.. All.Where(d => data.HasFlag(d))];

    /// <summary>The names of <paramref name="data"/>, e.g. <c>["orders", "finance"]</c>.</summary>
    public static IReadOnlyList<string> Names(Datasets data) => [.. Each(data).Select(Name)];

    /// <summary>The names joined with commas, as the CLI takes them: <c>orders,finance</c>.</summary>
    public static string Format(Datasets data) => string.Join(',', Names(data));

    /// <summary>True when <paramref name="data"/> is exactly one dataset.</summary>
    public static bool IsOne(Datasets data) => All.Contains(data);

    /// <summary>One dataset by name (case-insensitive), or null.</summary>
    public static Datasets? TryParseOne(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "orders" => Datasets.Orders,
        "finance" => Datasets.Finance,
        "returns" => Datasets.Returns,
        _ => null,
    };

    /// <summary>
    /// Datasets named by <paramref name="names"/>, each of which may itself be a comma-separated list
    /// (<c>--data orders,finance</c>, <c>"data": ["orders", "finance"]</c>); a repeat is harmless.
    /// </summary>
    /// <exception cref="FormatException">A name that is not a dataset, or none at all; the message names the valid ones.</exception>
    public static Datasets Parse(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var data = Datasets.None;
        foreach (var name in names.SelectMany(n => (n ?? "").Split(',', StringSplitOptions.TrimEntries)))
        {
            data |= TryParseOne(name) ?? throw new FormatException(
                $"'{Cut(name)}' is not a dataset; the datasets are {string.Join(", ", All.Select(Name))} (e.g. orders,finance).");
        }

        return data == Datasets.None
            ? throw new FormatException($"No dataset named; the datasets are {string.Join(", ", All.Select(Name))} (e.g. orders,finance).")
            : data;
    }

    /// <inheritdoc cref="Parse(IEnumerable{string})"/>
    public static Datasets Parse(string names) => Parse([names]);

    private static string Cut(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
