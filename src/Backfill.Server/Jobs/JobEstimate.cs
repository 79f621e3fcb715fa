using Backfill.Core.Data;
using Backfill.Core.Release;
using Backfill.Platforms.Quotas;

namespace Backfill.Server.Jobs;

/// <summary>
/// The answer of <c>POST /api/jobs</c> with <c>"dryRun": true</c>: what the job would be and cost, created nowhere.
/// Calls are counted per dataset the job pulls (a shop's earlier runs of that dataset on the platform, else
/// <see cref="DefaultCalls"/>), and every one of them spends the platform's budget. The expected duration is the largest of
/// the bounds: the platform's limit (all calls ÷ calls per second), the gradual release (⌈a shop's slices ÷ slices per
/// release⌉ × period, as every shop releases its own slices each period; none with <c>auto</c>), under a per-shop limit the
/// busiest shop's calls at that limit, and, with quotas, the periods they need ((periods − 1) × period: the last period's
/// calls start at its beginning at the earliest).
/// </summary>
public sealed record JobEstimate
{
    public const string History = "history";
    public const string Default = "default";

    public bool DryRun { get; init; } = true;

    public required string Platform { get; init; }

    public required IReadOnlyList<string> Shops { get; init; }

    public required DateOnly From { get; init; }

    /// <summary>Exclusive.</summary>
    public required DateOnly To { get; init; }

    /// <summary>What the job pulls, by name.</summary>
    public IReadOnlyList<string> Data { get; init; } = [DatasetNames.Name(Datasets.Orders)];

    public required int Slices { get; init; }

    /// <summary>Every dataset's calls.</summary>
    public required long ExpectedCalls { get; init; }

    public required double ExpectedSeconds { get; init; }

    public required double ReleaseBoundSeconds { get; init; }

    public required double RateBoundSeconds { get; init; }

    /// <summary>The busiest shop's calls at the platform's per-shop limit; 0 without one.</summary>
    public double ShopBoundSeconds { get; init; }

    /// <summary>The longest of <see cref="Quotas"/>' bounds; 0 without quotas.</summary>
    public double QuotaBoundSeconds { get; init; }

    /// <summary>The periods of the quota that takes longest to spend the job's calls in; 1 without quotas.</summary>
    public long QuotaPeriods { get; init; } = 1;

    /// <summary>Per quota of the platform: the periods the job's calls need at its usable share; empty without quotas.</summary>
    public IReadOnlyList<QuotaEstimate> Quotas { get; init; } = [];

    /// <summary><see cref="History"/> when every shop's figure of every dataset comes from earlier runs; <see cref="Default"/> when any is assumed.</summary>
    public required string Basis { get; init; }

    /// <summary>Calls per dataset, in the order a slice pulls them.</summary>
    public IReadOnlyList<DataEstimate> PerData { get; init; } = [];

    /// <summary>The dataset that makes the most calls (finance, one escrow call per order, when the job pulls it).</summary>
    public string Dominant { get; init; } = DatasetNames.Name(Datasets.Orders);

    public required IReadOnlyList<ShopEstimate> PerShop { get; init; }

    /// <summary>The estimate of a job, from the figures the scheduler knows.</summary>
    /// <param name="slicesPerShop">Slices one shop's range is cut into.</param>
    /// <param name="callsPerSecond">What the platform's limit lets the whole fleet call.</param>
    /// <param name="callsPerDay">A shop's calls per day for one dataset in earlier runs of the platform, or null when it has none.</param>
    /// <param name="defaultPerDay">Calls per day of one dataset assumed for a shop without history (<see cref="DefaultCalls"/>).</param>
    /// <param name="quotas">The platform's quotas (<see cref="QuotaPlan.Shapes"/>), if it has any.</param>
    /// <param name="shopCallsPerSecond">What the platform's per-shop limit lets one shop call, if it has one.</param>
    public static JobEstimate Of(
        string platform,
        IReadOnlyList<string> shops,
        DateOnly from,
        DateOnly to,
        int slicesPerShop,
        TimeSpan releaseEvery,
        int slicesPerRelease,
        double callsPerSecond,
        Datasets data,
        Func<string, Datasets, double?> callsPerDay,
        Func<Datasets, double> defaultPerDay,
        IReadOnlyList<QuotaShape>? quotas = null,
        double? shopCallsPerSecond = null)
    {
        ArgumentNullException.ThrowIfNull(shops);
        ArgumentNullException.ThrowIfNull(callsPerDay);
        ArgumentNullException.ThrowIfNull(defaultPerDay);
        ArgumentOutOfRangeException.ThrowIfLessThan(slicesPerRelease, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(callsPerSecond);
        var days = to.DayNumber - from.DayNumber;
        var datasets = DatasetNames.Each(data);
        var cells = shops.SelectMany(shop => datasets.Select(d => callsPerDay(shop, d) is { } known
                ? (Shop: shop, Data: d, PerDay: known, Basis: History)
                : (Shop: shop, Data: d, PerDay: defaultPerDay(d), Basis: Default)))
            .Select(c => (c.Shop, c.Data, c.PerDay, c.Basis, Calls: (long)Math.Ceiling(c.PerDay * days)))
            .ToList();
        var perShop = shops.Select(shop => cells.Where(c => c.Shop == shop).ToList())
            .Select((c, i) => new ShopEstimate(shops[i], slicesPerShop, Math.Round(c.Sum(x => x.PerDay), 2), c.All(x => x.Basis == History) ? History : Default))
            .ToList();
        var perData = datasets.Select(d => cells.Where(c => c.Data == d).ToList())
            .Select((c, i) => new DataEstimate(DatasetNames.Name(datasets[i]), c.Sum(x => x.Calls), c.All(x => x.Basis == History) ? History : Default))
            .ToList();
        var calls = cells.Sum(c => c.Calls);
        var slices = slicesPerShop * shops.Count;
        var releaseBound = ReleaseCadence.IsAuto(releaseEvery) ? 0 : Math.Ceiling(slicesPerShop / (double)slicesPerRelease) * releaseEvery.TotalSeconds;
        var rateBound = calls / callsPerSecond;
        var shopBound = shopCallsPerSecond is > 0 and var perShopRate ? shops.Max(shop => cells.Where(c => c.Shop == shop).Sum(c => c.Calls)) / perShopRate : 0;
        var perQuota = (quotas ?? []).Select(q => QuotaEstimate.Of(q, calls)).ToList();
        var quotaBound = perQuota.Select(q => q.BoundSeconds).DefaultIfEmpty(0).Max();
        return new JobEstimate
        {
            Platform = platform,
            Shops = shops,
            From = from,
            To = to,
            Data = DatasetNames.Names(data),
            Slices = slices,
            ExpectedCalls = calls,
            ExpectedSeconds = Seconds(new[] { releaseBound, rateBound, shopBound, quotaBound }.Max()),
            ReleaseBoundSeconds = Seconds(releaseBound),
            RateBoundSeconds = Seconds(rateBound),
            ShopBoundSeconds = Seconds(shopBound),
            QuotaBoundSeconds = Seconds(quotaBound),
            QuotaPeriods = perQuota.Select(q => q.Periods).DefaultIfEmpty(1).Max(),
            Quotas = perQuota,
            Basis = cells.All(c => c.Basis == History) ? History : Default,
            PerData = perData,
            Dominant = perData.MaxBy(d => d.Calls)?.Dataset ?? DatasetNames.Name(Datasets.Orders),
            PerShop = perShop,
        };
    }

    private static double Seconds(double seconds) => Math.Round(seconds, 1);
}

/// <summary>One shop's part of an estimate: its slices and the calls per day assumed for it (every dataset), and where that figure comes from.</summary>
public sealed record ShopEstimate(string Shop, int Slices, double CallsPerDay, string Basis);

/// <summary>One dataset's part of an estimate: its calls over every shop, and where the figures come from.</summary>
public sealed record DataEstimate(string Dataset, long Calls, string Basis);

/// <summary>One quota's part of an estimate: the job's calls need <paramref name="Periods"/> of its periods at <paramref name="Usable"/> calls each, so it lasts at least <paramref name="BoundSeconds"/>.</summary>
public sealed record QuotaEstimate(long Calls, long Usable, TimeSpan Period, long Periods, double BoundSeconds)
{
    public static QuotaEstimate Of(QuotaShape quota, long calls)
    {
        ArgumentNullException.ThrowIfNull(quota);
        var periods = quota.PeriodsFor(calls);
        return new(quota.Calls, quota.Usable, quota.Period, periods, Math.Round((periods - 1) * quota.Period.TotalSeconds, 1));
    }
}
