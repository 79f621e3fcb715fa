namespace Backfill.Scheduling;

/// <summary>The job's state does not allow the command (see <see cref="Core.Jobs.JobCommands"/>); nothing changed.</summary>
public sealed class JobCommandRefusedException(string message) : InvalidOperationException(message);
