using Backfill.Core.Data;

namespace Backfill.Simulators;

/// <summary>One order of the simulated catalog; times in unix seconds, currency always TWD.</summary>
public sealed record SimulatedOrder(string OrderSn, string Status, long CreateTime, long UpdateTime, decimal TotalAmount)
{
    public const string Currency = "TWD";

    public long TimeOf(string timeRangeField) => timeRangeField == TimeFields.UpdateTime ? UpdateTime : CreateTime;
}
