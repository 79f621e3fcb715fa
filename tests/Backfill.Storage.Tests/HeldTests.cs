namespace Backfill.Storage.Tests;

public sealed class HeldTests
{
    [Fact]
    public void IsHeld_WhileADatabaseHasTheFileOpen_AndNotOnceItIsClosed()
    {
        var temp = new TempDatabase();
        var path = temp.Db.Path;
        Assert.True(BackfillDatabase.IsHeld(path));

        temp.Db.Dispose();
        Assert.False(BackfillDatabase.IsHeld(path));
        Assert.False(BackfillDatabase.IsHeld(path + ".missing"));
        temp.Reopen();
        Assert.True(BackfillDatabase.IsHeld(path));
        temp.Dispose();
    }
}
