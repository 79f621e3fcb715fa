using Backfill.Core.Data;

namespace Backfill.Platforms;

/// <summary>One page's records, every dataset's, each whole as the platform returned it.</summary>
/// <param name="NextPage">The platform's cursor of the phase's next page, when <paramref name="More"/>.</param>
/// <param name="More">False when the phase has no more pages.</param>
public sealed record RecordPage(IReadOnlyList<PlatformRecord> Records, string? NextPage, bool More)
{
    /// <summary>Platform calls that answered for this page, for estimates.</summary>
    public int Calls => CallsByData.Values.Sum();

    /// <summary>The page's answered calls by the dataset they were made for (a list call of a finance-only slice is finance's).</summary>
    public IReadOnlyDictionary<Datasets, int> CallsByData { get; init; } = new Dictionary<Datasets, int>();
}

/// <summary>
/// One record of one dataset, whole: <paramref name="Json"/> is the platform's record as it came (an order's detail with
/// every optional field, an escrow detail, a return), UTF-8. The times are the record's own, when it has them (an
/// escrow detail has none: it carries its order's).
/// </summary>
/// <param name="Id">An order's <c>order_sn</c> (orders, finance) or a return's <c>return_sn</c>.</param>
public sealed record PlatformRecord(Datasets Dataset, string Id, DateTimeOffset? CreateTime, DateTimeOffset? UpdateTime, ReadOnlyMemory<byte> Json);
