namespace Backfill.Server.Jobs;

/// <summary>
/// The body of <c>GET /api/jobs</c>: a page of the jobs (or of those in the asked state), newest first;
/// <see cref="Next"/> is the <c>after</c> of the next page, null on the last one.
/// </summary>
public sealed record JobList(IReadOnlyList<JobStatus> Jobs, string? Next = null)
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1_000;
}
