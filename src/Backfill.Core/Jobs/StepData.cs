using Backfill.Core.Data;

namespace Backfill.Core.Jobs;

/// <summary>
/// Adds a step's calls and records per dataset to its slice. A report that does not split them (from a worker that pulled
/// orders only) counts its calls and orders as the orders dataset's; a slice that had none split so far starts from what
/// it counted as orders. Called before the step's totals are added to <see cref="SliceRecord.Calls"/> and
/// <see cref="SliceRecord.Orders"/>. Pure.
/// </summary>
public static class StepData
{
    public static void Add(SliceRecord slice, IReadOnlyDictionary<string, int>? callsByData, IReadOnlyDictionary<string, int>? recordsByData, int calls, long orders)
    {
        ArgumentNullException.ThrowIfNull(slice);
        var ordersName = DatasetNames.Name(Datasets.Orders);

        slice.CallsByData ??= slice.Calls > 0 ? new() { [ordersName] = slice.Calls } : [];
        slice.Records ??= slice.Orders > 0 ? new() { [ordersName] = slice.Orders } : [];

        foreach (var (name, count) in callsByData ?? (calls > 0 ? new Dictionary<string, int> { [ordersName] = calls } : []))
        {
            slice.CallsByData[name] = slice.CallsByData.GetValueOrDefault(name) + count;
        }

        foreach (var (name, count) in recordsByData ?? (orders > 0 ? new Dictionary<string, int> { [ordersName] = (int)orders } : []))
        {
            slice.Records[name] = slice.Records.GetValueOrDefault(name) + count;
        }
    }
}
