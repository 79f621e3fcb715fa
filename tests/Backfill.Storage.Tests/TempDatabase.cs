namespace Backfill.Storage.Tests;

/// <summary>A real LiteDB file in a temporary folder, deleted afterwards.</summary>
internal sealed class TempDatabase : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-storage-").FullName;

    public TempDatabase() => Db = new BackfillDatabase(System.IO.Path.Combine(_dir, "backfill.db"));

    public BackfillDatabase Db { get; private set; }

    public BackfillDatabase Reopen()
    {
        Db.Dispose();
        Db = new BackfillDatabase(System.IO.Path.Combine(_dir, "backfill.db"));
        return Db;
    }

    public void Dispose()
    {
        Db.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
