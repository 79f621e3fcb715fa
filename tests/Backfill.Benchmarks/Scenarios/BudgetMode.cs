namespace Backfill.Benchmarks.Scenarios;

/// <summary>How the product splits a platform's budget: <c>Platforms:{name}:RateLimit:Scope</c>, or the product default when null.</summary>
internal sealed record BudgetMode(string Name, string? Scope)
{
    /// <summary>Lanes: the limit holds for the whole fleet. The targets apply to it.</summary>
    public static readonly BudgetMode Fleet = new("fleet", "Fleet");

    /// <summary>Each process alone limited to the platform's rate: W processes may send W times it (incident R2).</summary>
    public static readonly BudgetMode Naive = new("naive", "Process");

    /// <summary>Scheduler and workers in one <c>backfill run</c> process, configured as the product defaults.</summary>
    public static readonly BudgetMode InProcess = new("in-process", null);

    public bool HasTargets => this == Fleet;
}
