namespace Backfill.Messaging.Contracts;

/// <summary>A versioned contract: a reader rejects versions it does not know instead of guessing.</summary>
public interface IMessage
{
    int V { get; }

    static abstract int Version { get; }

    /// <summary>What is wrong with a message that parsed, or null when it is usable.</summary>
    string? Problem() => null;
}
