namespace Backfill.Platforms.Lazada;

/// <summary>An order as the list gives it, for paging: its id and the second of the time the list is sorted by.</summary>
internal readonly record struct ListedOrder(string Id, long Second);

/// <summary>What a list page hands on and where the list continues; or why it cannot.</summary>
/// <param name="Fresh">The listed orders not handed on before, in the list's order.</param>
/// <param name="Next">Where the next page starts; null when this was the last.</param>
/// <param name="Problem">Set when the page cannot be used; then the others are empty.</param>
internal sealed record PagingStep(IReadOnlyList<ListedOrder> Fresh, LazadaCursor? Next, PagingProblem? Problem = null);

/// <summary>Why a page cannot be used: a <see cref="PlatformErrorKind"/>, a code and words.</summary>
internal sealed record PagingProblem(PlatformErrorKind Kind, string Code, string Message);

/// <summary>
/// Lazada's offset paging past its offset cap. A window (<c>created_after</c> = its start, up to the slice's end) is read
/// by offset until the next offset would pass <see cref="MaxOffset"/>; the list then continues with a window starting at the
/// last listed order's second, offset 0. That second's orders come again: the cursor remembers the ids handed on at the
/// last second, and a listed order among them is dropped. The list must be sorted ascending by the time it selects on; the
/// order of orders within one second does not matter. Pure.
/// </summary>
internal static class LazadaPaging
{
    /// <summary>The largest offset the list takes.</summary>
    public const int MaxOffset = 5_000;

    /// <summary>The largest page (<c>limit</c>) the list takes.</summary>
    public const int MaxLimit = 100;

    /// <summary>
    /// The most orders a window can reach with the largest page (<see cref="Capacity"/>). A second with at least a window's
    /// capacity of orders handed on fills a window that starts at it with repeats: no window could move past it.
    /// </summary>
    public const int WindowCapacity = MaxOffset + MaxLimit;

    /// <param name="at">Where this page was read.</param>
    /// <param name="listed">The page's orders, as listed.</param>
    /// <param name="limit">The page size asked for.</param>
    /// <param name="countTotal">The list's total for the window, when it said.</param>
    public static PagingStep Next(LazadaCursor at, IReadOnlyList<ListedOrder> listed, int limit, long? countTotal)
    {
        ArgumentNullException.ThrowIfNull(at);
        ArgumentNullException.ThrowIfNull(listed);
        var handedOn = new HashSet<string>(at.TailIds, StringComparer.Ordinal);
        var tail = at.Tail;
        var tailIds = new List<string>(at.TailIds);
        var fresh = new List<ListedOrder>(listed.Count);
        foreach (var order in listed)
        {
            if (at.Window is { } start && order.Second < start)
            {
                return Failed(PlatformErrorKind.Transient, "bad_response", $"the list gave order {order.Id} of a second before the window it was asked for");
            }

            if (tail is { } last && order.Second < last)
            {
                return Failed(PlatformErrorKind.Transient, "bad_response", $"the list is not in ascending time order at order {order.Id}");
            }

            if (!handedOn.Add(order.Id))
            {
                continue;
            }

            if (order.Second != tail)
            {
                tail = order.Second;
                tailIds.Clear();
            }

            tailIds.Add(order.Id);
            fresh.Add(order);
        }

        var more = listed.Count >= Math.Max(1, limit) && (countTotal is not { } total || at.Offset + listed.Count < total);
        if (!more)
        {
            return new PagingStep(fresh, null);
        }

        var offset = at.Offset + listed.Count;
        if (offset <= MaxOffset)
        {
            return new PagingStep(fresh, new LazadaCursor(at.Window, offset, tail, tailIds));
        }

        var capacity = Capacity(limit);
        if (tailIds.Count >= capacity)
        {
            return Failed(
                PlatformErrorKind.Permanent,
                "second_too_busy",
                $"{tailIds.Count} orders share the second {DateTimeOffset.FromUnixTimeSeconds(tail!.Value):O}: a list window starting at it reaches only {capacity} orders with pages of {limit}, so no window can move past that second");
        }

        return new PagingStep(fresh, new LazadaCursor(tail, 0, tail, tailIds));
    }

    /// <summary>The orders a window reaches with pages of <paramref name="limit"/>: up to the last offset at most <see cref="MaxOffset"/>, and that page.</summary>
    internal static int Capacity(int limit)
    {
        var page = Math.Clamp(limit, 1, MaxLimit);
        return (MaxOffset / page * page) + page;
    }

    private static PagingStep Failed(PlatformErrorKind kind, string code, string message) => new([], null, new PagingProblem(kind, code, message));
}
