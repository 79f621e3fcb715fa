namespace Backfill.Messaging.Contracts;

/// <summary>A versioned contract: a reader rejects versions it does not know instead of guessing.</summary>
public interface IMessage
{
    int V { get; }

    static abstract int Version { get; }

    /// <summary>
    /// The oldest version this build still reads, when older ones than <see cref="Version"/> decode into it unchanged in
    /// meaning (a rolling upgrade meets messages of the build before); null: only <see cref="Version"/>.
    /// </summary>
    static virtual int? OldestVersion => null;

    /// <summary>What is wrong with a message that parsed, or null when it is usable.</summary>
    string? Problem() => null;
}
