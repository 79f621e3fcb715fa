using System.Globalization;
using Backfill.Core.Data;
using Backfill.Core.Slicing;
using Backfill.Scheduling.Shops;

namespace Backfill.Scheduling;

/// <summary>
/// What a request would make, known before a single slice is built: its shops (trimmed, distinct, each one known to the
/// platform) and its windows, counted. Creating and estimating a job check it the same way.
/// </summary>
/// <param name="Windows">Slices per shop: the range's days cut into <c>Backfill:SliceDays</c>.</param>
public sealed record JobShape(IReadOnlyList<string> Shops, int Windows)
{
    private const int Listed = 20;

    /// <summary>Shops × windows.</summary>
    public long Slices => (long)Shops.Count * Windows;

    /// <exception cref="InvalidRangeException">No shop, or a range that cannot be sliced.</exception>
    /// <exception cref="InvalidJobRequestException">A dataset the platform does not give, a shop it does not know or that is not active, or more slices than <see cref="BackfillOptions.MaxSlicesPerJob"/>.</exception>
    public static JobShape Of(BackfillRequest request, BackfillOptions options, IShopDirectory directory)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(directory);
        var shops = request.Shops.Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (shops.Count == 0)
        {
            throw new InvalidRangeException("At least one shop is required (--shop ID).");
        }

        if ((request.Data & ~directory.DatasetsOf(request.Platform)) is var missing && missing != Datasets.None)
        {
            throw new InvalidJobRequestException(
                "data",
                $"Platform {request.Platform} pulls {DatasetNames.Format(directory.DatasetsOf(request.Platform))} only, not {DatasetNames.Format(missing)}.");
        }

        var shape = new JobShape(shops, Slicer.Count(request.From, request.To, options.SliceDays));
        var unknown = directory.Unknown(request.Platform, shops);
        if (unknown.Count > 0)
        {
            throw new InvalidJobRequestException("shops", UnknownShops(request.Platform, unknown, directory.Known(request.Platform)));
        }

        var inactive = directory.NotActive(request.Platform, shops);
        if (inactive.Count > 0)
        {
            throw new InvalidJobRequestException("shops", ShopRules.NotActive(request.Platform, inactive));
        }

        return TooLarge(shape, options.SliceDays, options.MaxSlicesPerJob) is { } why ? throw new InvalidJobRequestException("slices", why) : shape;
    }

    /// <summary>Why a job of <paramref name="shape"/> is too large, and how to split it; null when it fits.</summary>
    public static string? TooLarge(JobShape shape, int sliceDays, int maxSlices)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Slices <= maxSlices)
        {
            return null;
        }

        var shops = shape.Shops.Count;
        var per = sliceDays == 1 ? $"{N(shape.Windows)} day(s)" : $"{N(shape.Windows)} slice(s) of {sliceDays} days";
        var splits = new List<string>();
        if (maxSlices / shops is > 0 and var windows)
        {
            splits.Add($"at most {N((long)windows * sliceDays)} day(s) per job for these {N(shops)} shop(s)");
        }

        if (maxSlices / shape.Windows is > 0 and var fit)
        {
            splits.Add($"at most {N(fit)} shop(s) per job over these days");
        }

        var split = splits.Count > 0 ? string.Join(", or ", splits) : $"at most {N(maxSlices)} shop(s) per job, {sliceDays} day(s) each";
        return $"The job would have {N(shape.Slices)} slices ({N(shops)} shop(s) × {per}); at most {N(maxSlices)} are allowed in one job " +
            $"(Backfill:MaxSlicesPerJob). Split it into several jobs: {split}.";
    }

    private static string UnknownShops(string platform, IReadOnlyList<string> unknown, IReadOnlyList<string> known) =>
        $"{(unknown.Count == 1 ? "Shop" : $"{N(unknown.Count)} shops")} {List(unknown)} {(unknown.Count == 1 ? "is" : "are")} not known to platform {platform}: " +
        $"a shop is configured under Platforms:{platform}:Shops:{{id}}, or added with 'backfill shops add {platform} ID --refresh-token -'. Known: {(known.Count == 0 ? "(none)" : List(known))}.";

    /// <summary>The first few items, each cut short: a request's shop ids are whatever it sent.</summary>
    private static string List(IReadOnlyList<string> items)
    {
        var shown = string.Join(", ", items.Take(Listed).Select(i => i.Length <= 40 ? i : i[..40] + "…"));
        return items.Count <= Listed ? shown : $"{shown} … ({N(items.Count - Listed)} more)";
    }

    private static string N(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
