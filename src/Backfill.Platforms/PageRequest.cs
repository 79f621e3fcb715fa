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
    /// The partition the step came from, while it stays in this process: its lane's free places may be lent to calls of
    /// other lanes here, and a call of this page may take a lent place of another lane when its own is full
    /// (<see cref="LaneLending"/>). Null: neither (a single process, a test).
    /// </summary>
    public LaneLending? Lending { get; init; }

    /// <summary>The job the calls are for and its weight, for the lane's fair order (null: a call of no job).</summary>
    public CallerTurn? Caller { get; init; }

    /// <summary>
    /// How long a call whose access token the platform refused as expired waits for a newer token (after announcing the
    /// refusal, <see cref="IOrderSources.TokenRefused"/>) before it is asked again, and how long a call for a shop with no
    /// token yet waits for its first. Zero (default): such a call fails at once, as it must when the fleet refreshes no
    /// tokens (<c>Backfill:SecretKey</c> unset).
    /// </summary>
    public TimeSpan TokenWait { get; init; }
}
