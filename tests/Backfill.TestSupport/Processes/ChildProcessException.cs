namespace Backfill.Testing;

/// <summary>A product process failed to start, to get ready, or to do its part; the message names its log.</summary>
internal sealed class ChildProcessException(string message) : Exception(message);
