using Backfill.Core.Data;

namespace Backfill.Platforms;

/// <summary>
/// Which page of which phase of a shop's slice <c>[From, To)</c>, and what the slice pulls: a page of the list phase is one
/// list call, then the detail calls of its orders (<see cref="Datasets.Orders"/>) and one escrow call per order
/// (<see cref="Datasets.Finance"/>); a page of the returns phase is one return list call.
/// </summary>
/// <param name="ShopId">The platform's shop id, in decimal.</param>
/// <param name="From">Inclusive start of the slice.</param>
/// <param name="To">Exclusive end of the slice.</param>
/// <param name="Cursor">The phase, and the platform's cursor within it (null: its first page).</param>
public sealed record PageRequest(string ShopId, DateTimeOffset From, DateTimeOffset To, SliceCursor Cursor)
{
    /// <summary>What the slice pulls; a list page fetches only what it names.</summary>
    public Datasets Data { get; init; } = DatasetNames.Default;

    /// <summary>The order time the range is read by (<see cref="TimeFields"/>); null: the platform's configured one.</summary>
    public string? TimeField { get; init; }

    /// <summary>The budget lane the calls go through (the action message's lane). Default: the whole budget.</summary>
    public LaneRef Lane { get; init; } = LaneRef.Whole;

    /// <summary>
    /// Stops waiting for a place in the platform's budget; a call already under way is never cut. The page then throws
    /// <see cref="OperationCanceledException"/>. A worker giving a partition away uses it to end its steps at once
    /// without a call reaching the platform after the hand-over.
    /// </summary>
    public CancellationToken Yield { get; init; }

    /// <summary>
    /// The lease of the consumer that owns the lane: each call waits, after every other wait and just before it goes out,
    /// until the lease is held (<see cref="OwnershipLease"/>). Null: no owner to check (a single process, a test).
    /// </summary>
    public OwnershipLease? Ownership { get; init; }

    /// <summary>
    /// How long a call whose access token the platform refused as expired waits for a newer token (after announcing the
    /// refusal, <see cref="IOrderSources.TokenRefused"/>) before it is asked again, and how long a call for a shop with no
    /// token yet waits for its first. Zero (default): such a call fails at once, as it must when the fleet refreshes no
    /// tokens (<c>Backfill:SecretKey</c> unset).
    /// </summary>
    public TimeSpan TokenWait { get; init; }
}

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
