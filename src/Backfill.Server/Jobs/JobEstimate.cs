namespace Backfill.Server.Jobs;

/// <summary>
/// The answer of <c>POST /api/jobs</c> with <c>"dryRun": true</c>: what the job would be and cost, created nowhere.
/// The expected duration is the larger of two bounds: the platform's limit (calls ÷ calls per second) and the gradual
/// release (⌈slices ÷ slices per release⌉ × release cadence).
/// </summary>
public sealed record JobEstimate
{
    /// <summary>
    /// Calls per shop-day assumed for a shop with no earlier run on the platform: about 300 orders a day, that is three
    /// pages of 100, each one list call and two detail calls of 50 orders, plus one.
    /// </summary>
    public const double DefaultCallsPerDay = 10;

    public const string History = "history";
    public const string Default = "default";

    public bool DryRun { get; init; } = true;

    public required string Platform { get; init; }

    public required IReadOnlyList<string> Shops { get; init; }

    public required DateOnly From { get; init; }

    /// <summary>Exclusive.</summary>
    public required DateOnly To { get; init; }

    public required int Slices { get; init; }

    public required long ExpectedCalls { get; init; }

    public required double ExpectedSeconds { get; init; }

    public required double ReleaseBoundSeconds { get; init; }

    public required double RateBoundSeconds { get; init; }

    /// <summary><see cref="History"/> when every shop's figure comes from its earlier runs; <see cref="Default"/> when any is assumed.</summary>
    public required string Basis { get; init; }

    public required IReadOnlyList<ShopEstimate> PerShop { get; init; }

    /// <summary>The estimate of a job, from the figures the scheduler knows.</summary>
    /// <param name="slicesPerShop">Slices one shop's range is cut into.</param>
    /// <param name="callsPerSecond">What the platform's limit lets the whole fleet call.</param>
    /// <param name="callsPerDay">A shop's calls per day in earlier runs of the platform, or null when it has none.</param>
    public static JobEstimate Of(
        string platform,
        IReadOnlyList<string> shops,
        DateOnly from,
        DateOnly to,
        int slicesPerShop,
        TimeSpan releaseEvery,
        int slicesPerRelease,
        double callsPerSecond,
        Func<string, double?> callsPerDay)
    {
        ArgumentNullException.ThrowIfNull(shops);
        ArgumentNullException.ThrowIfNull(callsPerDay);
        ArgumentOutOfRangeException.ThrowIfLessThan(slicesPerRelease, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(callsPerSecond);
        var days = to.DayNumber - from.DayNumber;
        var perShop = shops.Select(shop => callsPerDay(shop) is { } known
                ? new ShopEstimate(shop, slicesPerShop, Math.Round(known, 2), History)
                : new ShopEstimate(shop, slicesPerShop, DefaultCallsPerDay, Default))
            .ToList();
        var calls = perShop.Sum(s => (long)Math.Ceiling(s.CallsPerDay * days));
        var slices = slicesPerShop * shops.Count;
        var releaseBound = Math.Ceiling(slices / (double)slicesPerRelease) * releaseEvery.TotalSeconds;
        var rateBound = calls / callsPerSecond;
        return new JobEstimate
        {
            Platform = platform,
            Shops = shops,
            From = from,
            To = to,
            Slices = slices,
            ExpectedCalls = calls,
            ExpectedSeconds = Seconds(Math.Max(releaseBound, rateBound)),
            ReleaseBoundSeconds = Seconds(releaseBound),
            RateBoundSeconds = Seconds(rateBound),
            Basis = perShop.All(s => s.Basis == History) ? History : Default,
            PerShop = perShop,
        };
    }

    private static double Seconds(double seconds) => Math.Round(seconds, 1);
}

/// <summary>One shop's part of an estimate: its slices and the calls per day assumed for it, and where that figure comes from.</summary>
public sealed record ShopEstimate(string Shop, int Slices, double CallsPerDay, string Basis);
