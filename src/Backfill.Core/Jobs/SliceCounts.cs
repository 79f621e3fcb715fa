namespace Backfill.Core.Jobs;

/// <summary>How many slices of a job are in each state.</summary>
public sealed record SliceCounts(int Pending, int Released, int Running, int Succeeded, int Failed, int Cancelled)
{
    public int Total => Pending + Released + Running + Succeeded + Failed + Cancelled;

    public bool AllTerminal => Total > 0 && Succeeded + Failed + Cancelled == Total;

    public static SliceCounts From(IEnumerable<SliceState> states)
    {
        int[] n = new int[6];
        foreach (var state in states)
        {
            n[(int)state]++;
        }

        return new SliceCounts(n[0], n[1], n[2], n[3], n[4], n[5]);
    }

    /// <summary>The job state these counts imply once every slice is terminal; null while work remains.</summary>
    public JobState? Outcome() => !AllTerminal ? null
        : Failed > 0 ? JobState.Failed
        : Succeeded > 0 ? JobState.Succeeded
        : JobState.Cancelled;
}
