namespace Backfill.Benchmarks.Perf;

/// <summary>
/// One measured row: the product's figure beside its reference, both taken in the same run, and the target the ratio
/// (or, for a latency, the figure itself) is held to.
/// </summary>
/// <param name="Id">P2…P6 and a suffix for a row's parts.</param>
/// <param name="Product">What the product did, with its unit.</param>
/// <param name="Reference">What it is compared with, with its unit.</param>
/// <param name="Ratio">Product ÷ reference (rates), or the figure a latency target applies to; null where there is none.</param>
/// <param name="Target">The target in words, e.g. <c>≥ 0.5×</c>.</param>
internal sealed record PerfRow(string Id, string What, string Product, string Reference, double? Ratio, string Target, bool Met)
{
    /// <summary>Numbers behind the row (rates, seconds, samples) for <c>--json</c> and the docs.</summary>
    public IReadOnlyDictionary<string, object> Figures { get; init; } = new Dictionary<string, object>();

    /// <summary>Why a target is missed, or what the row leaves out.</summary>
    public string? Note { get; init; }
}
