namespace Backfill.Platforms.Configuration;

/// <summary>The order times a list call can select on; the values are the platform's own.</summary>
internal static class TimeRangeFields
{
    public const string CreateTime = "create_time";
    public const string UpdateTime = "update_time";

    public static readonly IReadOnlyList<string> All = [CreateTime, UpdateTime];

    public static bool IsKnown(string? field) => field is CreateTime or UpdateTime;
}
