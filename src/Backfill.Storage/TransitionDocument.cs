using Backfill.Core.Jobs;

namespace Backfill.Storage;

/// <summary>A recorded transition (the audit trail).</summary>
public sealed class TransitionDocument
{
    public LiteDB.ObjectId Id { get; set; } = LiteDB.ObjectId.NewObjectId();

    public string Subject { get; set; } = "";

    public string From { get; set; } = "";

    public string To { get; set; } = "";

    public DateTimeOffset At { get; set; }

    public string Reason { get; set; } = "";

    public static TransitionDocument Of(Transition t) =>
        new() { Subject = t.Subject, From = t.From, To = t.To, At = t.At, Reason = t.Reason };
}
