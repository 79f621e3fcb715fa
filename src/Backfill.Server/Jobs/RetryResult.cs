namespace Backfill.Server.Jobs;

/// <summary>The body of a successful <c>POST /api/jobs/{id}/retry</c>: the job's state after it and the slices moved back to Pending.</summary>
public sealed record RetryResult(string Job, string State, IReadOnlyList<string> Retried);
