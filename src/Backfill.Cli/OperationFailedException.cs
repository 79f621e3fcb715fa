namespace Backfill.Cli;

/// <summary>The operation could not be done (exit 1); the message is the whole story, one line.</summary>
internal sealed class OperationFailedException(string message) : Exception(message);
