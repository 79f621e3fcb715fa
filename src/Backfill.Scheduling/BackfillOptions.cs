using Backfill.Core.Release;

namespace Backfill.Scheduling;

/// <summary>Scheduler settings (section <c>Backfill</c>).</summary>
public sealed class BackfillOptions
{
    /// <summary>IANA time zone of the calendar days in requests. Default <c>UTC</c>.</summary>
    public string TimeZone { get; set; } = "UTC";

    /// <summary>Folder of the LiteDB file <c>backfill.db</c>. Default <c>./data</c>.</summary>
    public string DataDirectory { get; set; } = "./data";

    /// <summary>Days per slice. Default 1.</summary>
    public int SliceDays { get; set; } = 1;

    /// <summary>
    /// Release cadence of a job unless the request says otherwise: a period <c>HH:MM:SS</c> (each shop of the job releases
    /// up to <see cref="SlicesPerRelease"/> slices per period), or <c>auto</c>: whenever the platform has room under
    /// <see cref="MaxInFlightPerPlatform"/> and <see cref="MaxActionLag"/>. Default 5 minutes (R1).
    /// </summary>
    public string ReleaseEvery { get; set; } = "00:05:00";

    /// <summary><see cref="ReleaseEvery"/> read (<see cref="ReleaseCadence.Auto"/> for <c>auto</c>); checked at start.</summary>
    public TimeSpan Cadence => ReleaseCadence.Parse(ReleaseEvery);

    /// <summary>Slices of each shop of a job released per period. Default 1.</summary>
    public int SlicesPerRelease { get; set; } = 1;

    /// <summary>Failed slices released again by the scheduler itself when their error may pass with time.</summary>
    public AutoRetryOptions AutoRetry { get; set; } = new();

    /// <summary>
    /// Cap on released-or-running slices per platform, across jobs (R1). Default 32: with 8 lanes, enough for each lane's
    /// partition to run <c>Worker:StepsPerPartition</c> (4) slices side by side.
    /// </summary>
    public int MaxInFlightPerPlatform { get; set; } = 32;

    /// <summary>
    /// No slice of a platform is released while more than this many action messages wait on its lanes' partitions,
    /// uncommitted by the worker group (workers absent, slow or throttled), raised by as much as the in-flight cap rises
    /// from latency (<see cref="InFlightCap.LagLimit"/>). Default 100.
    /// </summary>
    public long MaxActionLag { get; set; } = 100;

    /// <summary>
    /// How long a finished job's slices and their transitions are kept; <c>serve</c> deletes older ones once a day. The
    /// job, its totals and its orders stay. <see cref="TimeSpan.Zero"/> keeps them for ever. Default 30 days.
    /// </summary>
    public TimeSpan KeepFinishedJobs { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// The most slices one job may have (shops × windows), checked before any is built; a larger request is refused
    /// with how to split it. Default 200,000 (e.g. 50 shops × 10 years, or 550 shops × a year).
    /// </summary>
    public int MaxSlicesPerJob { get; set; } = 200_000;

    /// <summary>
    /// A slice in flight that nothing is heard of for this long (no release, no report of its attempt) is released again
    /// as a new attempt: its step was lost. Must be larger than the longest step (<see cref="StuckRule.LongestStep"/>,
    /// checked at start). Default 15 minutes: the longest step of the defaults with a wait for a newer token is 11 min.
    /// </summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Where <c>serve</c> listens and clients find it. Default <c>http://127.0.0.1:5080</c>.</summary>
    public string ServerUrl { get; set; } = "http://127.0.0.1:5080";

    /// <summary>
    /// The bearer token every API mutation (POST) must carry, at least 16 characters; a secret, never logged or echoed.
    /// Unset: mutations are refused unless <c>serve</c> listens on loopback addresses only. Clients send it from here too.
    /// </summary>
    public string? ApiToken { get; set; }

    /// <summary>
    /// The fleet's key for shop tokens (32 random bytes, base64; a secret, never logged or echoed): tokens in LiteDB and on
    /// the control topic are sealed under it, and only with it does the scheduler refresh tokens. Every process of the
    /// fleet needs the same one. Unset: tokens come from configuration only and are never refreshed.
    /// </summary>
    public string? SecretKey { get; set; }

    public string DatabasePath => Path.Combine(DataDirectory, "backfill.db");
}

/// <summary>
/// Automatic retries of failed slices (section <c>Backfill:AutoRetry</c>): a slice that failed for a transient error, a
/// throttle or a spent quota is released again <see cref="After"/> its failure, at most <see cref="Attempts"/> times;
/// never one that failed for a permanent error. Its job finishes only once no such retry is left.
/// </summary>
public sealed class AutoRetryOptions
{
    /// <summary>Automatic retries per slice, 0 (none) to 100. Default 3.</summary>
    public int Attempts { get; set; } = 3;

    /// <summary>How long after its failure a slice is retried, 1 second to 7 days. Default 10 minutes.</summary>
    public TimeSpan After { get; set; } = TimeSpan.FromMinutes(10);

    public AutoRetryRule Rule => new(Attempts, After);
}
