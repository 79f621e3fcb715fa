namespace Backfill.Core.Data;

/// <summary>
/// Which of an order's times a slice's range is read by: its creation, or its last update (re-pulling status changes after
/// an outage). A platform has a default (<c>Platforms:{name}:TimeRangeField</c>); a job may name another.
/// </summary>
public static class TimeFields
{
    public const string CreateTime = "create_time";
    public const string UpdateTime = "update_time";

    public static readonly IReadOnlyList<string> All = [CreateTime, UpdateTime];

    public static bool IsKnown(string? field) => field is CreateTime or UpdateTime;

    /// <summary>Why <paramref name="field"/> is not a time field, naming the ones there are; null when it is one.</summary>
    public static string? Problem(string? field) =>
        IsKnown(field) ? null : $"'{field}' is not a time field; the time fields are {string.Join(" and ", All)}.";
}
