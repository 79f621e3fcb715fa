namespace Backfill.Server.Jobs;

/// <summary>The body of <c>201 Created</c>: <c>{"job": "…"}</c>.</summary>
public sealed record JobCreated(string Job);
