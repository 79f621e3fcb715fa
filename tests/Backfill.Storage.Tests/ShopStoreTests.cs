using Backfill.Core.Shops;

namespace Backfill.Storage.Tests;

public sealed class ShopStoreTests : IDisposable
{
    private readonly TempDatabase _temp = new();

    [Fact]
    public void Update_SeesTheStoredRecord_AndStoresWhatItReturns_OnDisk()
    {
        var store = new ShopStore(_temp.Db);
        store.Update("Demo", "1001", existing =>
        {
            Assert.Null(existing);
            return new ShopRecord { Id = ShopRecord.MakeId("Demo", "1001"), Platform = "Demo", Shop = "1001" };
        });

        store.Update("demo", "1001", existing =>
        {
            existing!.State = ShopState.Disabled;
            return existing;
        });

        var reopened = new ShopStore(_temp.Reopen());
        Assert.Equal(ShopState.Disabled, reopened.Find("DEMO", "1001")!.State);
    }

    [Fact]
    public void Update_ReturningNull_OrThrowing_StoresNothing()
    {
        var store = new ShopStore(_temp.Db);
        store.Save(new ShopRecord { Id = ShopRecord.MakeId("demo", "1001"), Platform = "demo", Shop = "1001" });

        Assert.Null(store.Update("demo", "1001", existing =>
        {
            existing!.State = ShopState.Disabled;
            return null;
        }));
        Assert.Throws<InvalidOperationException>(() => store.Update("demo", "1001", existing =>
        {
            existing!.Name = "changed";
            throw new InvalidOperationException("refused");
        }));

        var kept = store.Find("demo", "1001")!;
        Assert.Equal((ShopState.Active, null), (kept.State, kept.Name));
    }

    public void Dispose() => _temp.Dispose();
}
