namespace Backfill.Messaging.Contracts;

/// <summary>Bytes that are not a message this version understands; they go to the dead-letter topic (R6).</summary>
public sealed class MalformedMessageException(string message, Exception? inner = null) : Exception(message, inner);
