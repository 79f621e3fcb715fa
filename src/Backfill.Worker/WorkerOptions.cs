namespace Backfill.Worker;

/// <summary>Worker settings (section <c>Worker</c>).</summary>
public sealed class WorkerOptions
{
    /// <summary>Consumers in this process, each on a thread created once (R7). Default 2.</summary>
    public int Concurrency { get; set; } = 2;

    /// <summary>Where <c>worker</c> answers <c>/healthz/live</c> and <c>/healthz/ready</c> (http://HOST:PORT); empty, the default: no port opened.</summary>
    public string HealthUrl { get; set; } = "";

    /// <summary>
    /// The least steps (of different slices) one partition runs side by side. Default 4: the lanes on a partition always
    /// have a call waiting when their window frees a place, while the lane's window alone decides when calls start. The
    /// worker runs more while its lanes' rate × (1 s + measured latency) asks for them, up to 64 (<see cref="StepPlaces"/>).
    /// </summary>
    public int StepsPerPartition { get; set; } = 4;

    /// <summary>Pages per step (K). Default 5: a step stays a small fraction of the poll interval (R3).</summary>
    public int PagesPerStep { get; set; } = 5;

    /// <summary>Times a page is tried again after a throttle answer (each after the platform's back-off). Default 5.</summary>
    public int ThrottleRetries { get; set; } = 5;

    /// <summary>
    /// Times a message is tried again after an infrastructure failure (Kafka produce, not the platform) before it is
    /// dead-lettered. Default 5, with back-off from <see cref="InfrastructureBackoff"/> doubling to 30 s.
    /// </summary>
    public int InfrastructureRetries { get; set; } = 5;

    /// <summary>Default 1 s.</summary>
    public TimeSpan InfrastructureBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a call whose shop token the platform refused as expired waits for a newer one before the slice fails, when
    /// the fleet refreshes tokens (<c>Backfill:SecretKey</c> set); the refusal is announced for the scheduler to refresh at
    /// once. Default 2 minutes, at most 1 hour.
    /// </summary>
    public TimeSpan TokenWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the worker logs its lanes, their rates and throttles. Default 30 s.</summary>
    public TimeSpan LaneReportEvery { get; set; } = TimeSpan.FromSeconds(30);
}
