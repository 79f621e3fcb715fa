namespace Backfill.Core.Jobs;

/// <summary>
/// How a job shares its platform's slices in flight with other jobs of the platform (<see cref="Release.FairShare"/>):
/// in proportion to <see cref="Release.FairShare.Weight"/>. A lower priority is served less, never starved.
/// </summary>
public enum JobPriority
{
    Normal,
    High,
    Low,
}

/// <summary>A priority as people write it: <c>high</c>, <c>normal</c>, <c>low</c>.</summary>
public static class JobPriorityNames
{
    public const string Expected = "high, normal or low";

    public static string Name(JobPriority priority) => priority.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out JobPriority priority)
    {
        priority = JobPriority.Normal;
        return text?.Trim().ToLowerInvariant() switch
        {
            "high" => Set(JobPriority.High, out priority),
            "normal" => Set(JobPriority.Normal, out priority),
            "low" => Set(JobPriority.Low, out priority),
            _ => false,
        };
    }

    private static bool Set(JobPriority value, out JobPriority priority)
    {
        priority = value;
        return true;
    }
}
