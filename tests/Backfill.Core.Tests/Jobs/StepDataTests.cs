using Backfill.Core.Jobs;

namespace Backfill.Core.Tests.Jobs;

public sealed class StepDataTests
{
    [Fact]
    public void Add_AStepSplitByDataset_AddsEachDatasetsCallsAndRecords()
    {
        var slice = new SliceRecord();

        StepData.Add(slice, new Dictionary<string, int> { ["orders"] = 3, ["finance"] = 100 }, new Dictionary<string, int> { ["orders"] = 100, ["finance"] = 100 }, 103, 100);
        StepData.Add(slice, new Dictionary<string, int> { ["finance"] = 50, ["returns"] = 1 }, new Dictionary<string, int> { ["finance"] = 50, ["returns"] = 4 }, 51, 0);

        Assert.Equal(new Dictionary<string, int> { ["orders"] = 3, ["finance"] = 150, ["returns"] = 1 }, slice.CallsByData);
        Assert.Equal(new Dictionary<string, long> { ["orders"] = 100, ["finance"] = 150, ["returns"] = 4 }, slice.Records);
    }

    [Fact]
    public void Add_AStepFromAWorkerThatDidNotSplitThem_CountsItsCallsAndOrdersAsTheOrders()
    {
        var slice = new SliceRecord();

        StepData.Add(slice, null, null, 7, 40);

        Assert.Equal(new Dictionary<string, int> { ["orders"] = 7 }, slice.CallsByData);
        Assert.Equal(new Dictionary<string, long> { ["orders"] = 40 }, slice.Records);
    }

    [Fact]
    public void Add_ToASliceThatCountedOnlyOrdersSoFar_StartsFromThem()
    {
        var slice = new SliceRecord { Calls = 5, Orders = 20 };

        StepData.Add(slice, new Dictionary<string, int> { ["finance"] = 20 }, new Dictionary<string, int> { ["finance"] = 20 }, 20, 0);

        Assert.Equal(new Dictionary<string, int> { ["orders"] = 5, ["finance"] = 20 }, slice.CallsByData);
        Assert.Equal(new Dictionary<string, long> { ["orders"] = 20, ["finance"] = 20 }, slice.Records);
    }

    [Fact]
    public void PerData_OfASliceThatNeverSplitThem_AreItsCallsAndOrdersAsTheOrders()
    {
        var slice = new SliceRecord { Calls = 5, Orders = 20 };

        Assert.Equal(new Dictionary<string, int> { ["orders"] = 5 }, slice.CallsPerData());
        Assert.Equal(new Dictionary<string, long> { ["orders"] = 20 }, slice.RecordsPerData());
        Assert.Empty(new SliceRecord().CallsPerData());
    }
}
