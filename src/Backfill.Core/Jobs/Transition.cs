namespace Backfill.Core.Jobs;

/// <summary>One recorded state change, with when and why (the audit trail of a slice or job).</summary>
public sealed record Transition(string Subject, string From, string To, DateTimeOffset At, string Reason);
