using System.Text.Json.Serialization;
using Backfill.Core.Jobs;

namespace Backfill.Server.Jobs;

/// <summary>
/// The body of <c>GET /api/jobs/{id}/slices</c>: a page of the job's slices (or of those in the asked state, or of
/// those ever stuck), earliest day first; <see cref="Next"/> is the <c>after</c> of the next page, null on the last one.
/// </summary>
/// <param name="PrunedAt">
/// When the finished job's slices were deleted (<c>Backfill:KeepFinishedJobs</c>): the list is then empty, or partial
/// while they are being deleted; the job's status keeps its counts. Null (left out of the JSON) while they are kept.
/// </param>
public sealed record SliceList(
    string Job,
    IReadOnlyList<SliceView> Slices,
    string? Next,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PrunedAt = null)
{
    public const int DefaultLimit = 500;
    public const int MaxLimit = 5_000;
}

/// <summary>One slice as the API shows it.</summary>
/// <param name="State">Lower case: <c>pending</c>, <c>released</c>, <c>running</c>, <c>succeeded</c>, <c>failed</c>, <c>cancelled</c>.</param>
/// <param name="EndDay">Exclusive.</param>
/// <param name="Attempt">Releases so far; 0 while never released.</param>
/// <param name="Lane">The budget lane of its current attempt.</param>
/// <param name="Orders">Orders its current attempt emitted.</param>
/// <param name="Error">Why it failed, when it did.</param>
/// <param name="LastHeard">When the scheduler last heard of its current attempt: its release or a report of it.</param>
/// <param name="Restarts">
/// Times it was stuck: nothing heard of an attempt in flight for <c>Backfill:StuckAfter</c>, so it was released again.
/// </param>
public sealed record SliceView(
    string Slice,
    string Shop,
    DateOnly FirstDay,
    DateOnly EndDay,
    string State,
    int Attempt,
    int Lane,
    int Pages,
    long Orders,
    string? Error,
    DateTimeOffset UpdatedAt,
    DateTimeOffset LastHeard,
    int Restarts)
{
    public static SliceView Of(SliceRecord slice)
    {
        ArgumentNullException.ThrowIfNull(slice);
        return new(slice.Id, slice.Shop, slice.FirstDay, slice.EndDay, slice.State.ToString().ToLowerInvariant(), slice.Attempt, slice.Lane, slice.Pages, slice.Orders, slice.Error, slice.UpdatedAt, slice.ProgressAt ?? slice.UpdatedAt, slice.Restarts);
    }
}
