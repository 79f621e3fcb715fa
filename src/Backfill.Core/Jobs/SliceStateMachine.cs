namespace Backfill.Core.Jobs;

/// <summary>The allowed slice transitions.</summary>
public static class SliceStateMachine
{
    public static bool IsTerminal(this SliceState state) =>
        state is SliceState.Succeeded or SliceState.Failed or SliceState.Cancelled;

    public static bool CanMove(SliceState from, SliceState to) => (from, to) switch
    {
        (SliceState.Pending, SliceState.Released) => true,
        (SliceState.Pending, SliceState.Cancelled) => true,

        // A release whose produce failed, or that nothing was heard of for Backfill:StuckAfter, goes back to the store.
        (SliceState.Released, SliceState.Pending) => true,
        (SliceState.Released, SliceState.Running) => true,
        (SliceState.Released, SliceState.Failed) => true,
        (SliceState.Released, SliceState.Cancelled) => true,
        (SliceState.Running, SliceState.Succeeded) => true,
        (SliceState.Running, SliceState.Failed) => true,
        (SliceState.Running, SliceState.Cancelled) => true,

        // Nothing heard of it for Backfill:StuckAfter: its step was lost; it waits to be released again.
        (SliceState.Running, SliceState.Pending) => true,
        (SliceState.Failed, SliceState.Pending) => true,
        _ => false,
    };

    /// <summary>
    /// The moves an operator's forced retry may make besides <see cref="CanMove"/>: a succeeded slice runs again (R10).
    /// Nothing else ever moves a succeeded slice.
    /// </summary>
    public static bool CanForce(SliceState from, SliceState to) =>
        CanMove(from, to) || (from, to) is (SliceState.Succeeded, SliceState.Pending);
}
