namespace Backfill.Server.Jobs;

/// <summary>The body of <c>GET /api/jobs</c>: every job (or those in the asked state), newest first.</summary>
public sealed record JobList(IReadOnlyList<JobStatus> Jobs);
