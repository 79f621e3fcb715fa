namespace Backfill.Core.Jobs;

/// <summary>A state change the state machine does not allow.</summary>
public sealed class InvalidTransitionException(string subject, object from, object to)
    : InvalidOperationException($"{subject}: {from} → {to} is not allowed.");
