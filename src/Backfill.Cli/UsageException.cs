namespace Backfill.Cli;

/// <summary>The operator asked for something that cannot be done as asked; the message says what to change.</summary>
internal sealed class UsageException(string message) : Exception(message);
