using System.Diagnostics;

namespace Backfill.Core.Telemetry;

/// <summary>
/// The product's traces and metrics: one <see cref="ActivitySource"/> and one meter name, <c>Backfill</c>, in every
/// process. A slice's attempt is one trace: its release, each step a worker runs, each platform call of a step, and the
/// scheduler applying each report, linked across Kafka by W3C trace context headers. With nobody listening (no exporter
/// configured) <see cref="Source"/> starts no activity and the code paths pay one check.
/// </summary>
public static class BackfillTelemetry
{
    /// <summary>The name of the activity source and of the meter.</summary>
    public const string Name = "Backfill";

    public static readonly ActivitySource Source = new(Name);

    /// <summary>The release of a slice's attempt to the action topic: the root of the slice's trace.</summary>
    public const string Release = "backfill.release";

    /// <summary>One step of a slice run by a worker, the child of the release or of the step before.</summary>
    public const string Step = "backfill.step";

    /// <summary>One platform call of a step (admission, retries and token waits included).</summary>
    public const string PlatformCall = "backfill.platform.call";

    /// <summary>The scheduler applying one progress report of a step.</summary>
    public const string Progress = "backfill.progress";

    /// <summary>
    /// Starts an activity that begins a trace of its own, whatever is current (a request, a timer's run): each slice's
    /// attempt is one trace. It becomes current; call it at the start of an async method of its own, whose end gives the
    /// caller back what was current before. Null when nobody listens.
    /// </summary>
    public static Activity? StartRoot(string name, ActivityKind kind)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        Activity.Current = null;
        return Source.StartActivity(name, kind);
    }

    /// <summary>Tag names. Values are ids, names and outcomes; never a token, a key or a record.</summary>
    public static class Tags
    {
        public const string Job = "backfill.job";
        public const string Slice = "backfill.slice";
        public const string Attempt = "backfill.attempt";
        public const string Step = "backfill.step";
        public const string Platform = "backfill.platform";
        public const string Shop = "backfill.shop";
        public const string Lane = "backfill.lane";
        public const string Outcome = "backfill.outcome";
        public const string Kind = "backfill.progress.kind";
        public const string Pages = "backfill.pages";
    }
}
