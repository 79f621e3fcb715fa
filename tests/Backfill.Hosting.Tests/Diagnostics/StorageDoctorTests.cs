using Backfill.Hosting.Diagnostics;
using Backfill.Storage;

namespace Backfill.Hosting.Tests.Diagnostics;

/// <summary>The storage row of doctor: the LiteDB file's size and the free disk of its folder.</summary>
public sealed class StorageDoctorTests
{
    private const long MiB = 1L << 20;
    private const long GiB = 1L << 30;

    [Fact]
    public void Judge_PlentyFree_IsOk_WithTheSizes()
    {
        var row = StorageDoctor.Judge("/data/backfill.db", 300 * MiB, 2 * MiB, 40 * GiB);

        Assert.Equal(CheckStatus.Ok, row.Status);
        Assert.Equal("/data/backfill.db: 302.0 MiB (log 2.0 MiB); 40.0 GiB free on its disk.", row.Detail);
    }

    [Fact]
    public void Judge_LessThanAGiBFree_Warns_NamingWhatToChange()
    {
        var row = StorageDoctor.Judge("/data/backfill.db", 10 * MiB, 0, 700 * MiB);

        Assert.Equal(CheckStatus.Warn, row.Status);
        Assert.StartsWith("/data/backfill.db: 10.0 MiB; only 700.0 MiB free on its disk, less than 1.0 GiB", row.Detail, StringComparison.Ordinal);
        Assert.Contains("Backfill:DataDirectory", row.Detail, StringComparison.Ordinal);
        Assert.Contains("Backfill:KeepFinishedJobs", row.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_LessFreeThanTheDatabasesSize_Warns()
    {
        Assert.Equal(CheckStatus.Warn, StorageDoctor.Judge("/data/backfill.db", 8 * GiB, 0, 5 * GiB).Status);
        Assert.Equal(CheckStatus.Ok, StorageDoctor.Judge("/data/backfill.db", 8 * GiB, 0, 9 * GiB).Status);
    }

    [Fact]
    public void Judge_NoDatabaseYet_SaysServeCreatesIt()
    {
        var row = StorageDoctor.Judge("/data/backfill.db", bytes: null, 0, 40 * GiB);

        Assert.Equal(CheckStatus.Ok, row.Status);
        Assert.StartsWith("no database at /data/backfill.db yet: 'backfill serve' creates it", row.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Judge_FreeDiskUnreadable_Warns_WithWhy() =>
        Assert.Equal(
            new DoctorCheck("storage", CheckStatus.Warn, "/data/backfill.db: 1.0 KiB; the free disk of its folder could not be read (permission denied)."),
            StorageDoctor.Judge("/data/backfill.db", 1024, 0, null, "permission denied"));

    [Fact]
    public void Run_ARealFileAndAFolderNotCreatedYet_ReadsTheirSizeAndTheDisk()
    {
        var dir = Directory.CreateTempSubdirectory("backfill-doctor-").FullName;
        try
        {
            var path = Path.Combine(dir, "backfill.db");
            using (var db = new BackfillDatabase(path))
            {
                var record = Storage.Records.RecordDocument.Of("""{"order_sn":"A"}"""u8);
                record.Id = "p:1:A";
                record.ShopKey = "p:1";
                new Storage.Records.RecordStore(db).Upsert([(Core.Data.Datasets.Orders, record)], DateTimeOffset.UnixEpoch);
            }

            var row = StorageDoctor.Run(path);
            var missing = StorageDoctor.Run(Path.Combine(dir, "not", "yet", "backfill.db"));

            Assert.NotEqual(CheckStatus.Fail, row.Status);
            Assert.Matches($@"^{System.Text.RegularExpressions.Regex.Escape(path)}: \d+\.\d (KiB|MiB); .* free", row.Detail);
            Assert.StartsWith($"no database at {Path.Combine(dir, "not", "yet", "backfill.db")} yet", missing.Detail, StringComparison.Ordinal);
            Assert.DoesNotContain("could not be read", missing.Detail, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
