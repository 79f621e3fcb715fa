namespace Backfill.Platforms;

/// <summary>One platform's order API as a worker sees it: pages of orders with their details.</summary>
public interface IOrderSource
{
    /// <summary>The configured platform name (the key under <c>Platforms:</c>).</summary>
    string Platform { get; }

    /// <summary>
    /// Fetches one page of the slice <c>[From, To)</c> of a shop: one list call and the detail calls for
    /// the listed orders. Throws <see cref="PlatformException"/> once its own retries are exhausted.
    /// </summary>
    Task<OrderPage> FetchPageAsync(OrderPageRequest request, CancellationToken cancellationToken);
}

/// <summary>Which page of which slice of which shop.</summary>
/// <param name="ShopId">The platform's shop id, in decimal.</param>
/// <param name="From">Inclusive start of the slice.</param>
/// <param name="To">Exclusive end of the slice.</param>
/// <param name="Cursor">Null or empty for the first page; afterwards the previous page's <see cref="OrderPage.NextCursor"/>.</param>
public sealed record OrderPageRequest(string ShopId, DateTimeOffset From, DateTimeOffset To, string? Cursor)
{
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

/// <summary>One page of orders with their details.</summary>
public sealed record OrderPage(IReadOnlyList<PlatformOrder> Orders, string? NextCursor, bool More)
{
    /// <summary>Platform calls that answered for this page (the list call and the detail batches), for estimates.</summary>
    public int Calls { get; init; }
}

/// <summary>An order as the platform describes it.</summary>
public sealed record PlatformOrder(
    string OrderSn,
    string Status,
    DateTimeOffset CreateTime,
    DateTimeOffset UpdateTime,
    decimal TotalAmount,
    string Currency);
