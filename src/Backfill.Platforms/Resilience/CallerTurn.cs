namespace Backfill.Platforms;

/// <summary>Whose call waits for a lane's place: its job, and the job's weight (<see cref="Core.Release.FairShare.Weight"/>).</summary>
public readonly record struct CallerTurn(string Job, int Weight)
{
    /// <summary>A call of no job (a doctor's test call, a test): one flow of normal weight.</summary>
    public static readonly CallerTurn Anonymous = new("", Core.Release.FairShare.Weight(Core.Jobs.JobPriority.Normal));
}
