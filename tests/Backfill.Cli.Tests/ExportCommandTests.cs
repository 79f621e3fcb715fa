using System.Text;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Storage;
using Backfill.Storage.Records;

namespace Backfill.Cli.Tests;

/// <summary><c>backfill export</c> with no scheduler answering: straight from the data directory's database, when no process holds it.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("backfill-export-cli-").FullName;

    private string DataDirectory => Path.Combine(_dir, "data");

    private BackfillDatabase Seed()
    {
        var db = new BackfillDatabase(Path.Combine(DataDirectory, "backfill.db"));
        new JobStore(db).Create(new JobRecord { Id = "run-1", Platform = "demo", Shops = ["10001"], Data = Datasets.Orders | Datasets.Returns, State = JobState.Succeeded }, [], new Transition("run-1", "", "Succeeded", Now, "test"));
        var records = new[] { ("R2", """{"return_sn":"R2","amount":3}"""), ("R1", """{"return_sn":"R1","item":[{"item_id":7}]}""") }
            .Select(r =>
            {
                var document = RecordDocument.Of(Encoding.UTF8.GetBytes(r.Item2));
                (document.Id, document.Platform, document.Shop, document.ShopKey, document.RecordId, document.JobId) = ($"demo:10001:{r.Item1}", "demo", "10001", "demo:10001", r.Item1, "run-1");
                return (Datasets.Returns, document);
            })
            .ToList();
        new RecordStore(db).Upsert(records, Now);
        return db;
    }

    private Task<(int Code, string Out, string Error)> ExportAsync(params string[] args) =>
        CliRunner.RunAsync(["export", .. args, "--server", CliRunner.Unreachable(), $"--Backfill:DataDirectory={DataDirectory}"]);

    [Fact]
    public async Task Export_NoSchedulerAnswers_ReadsTheDataDirectorysDatabase()
    {
        Seed().Dispose();
        var file = Path.Combine(_dir, "returns.ndjson");

        var (code, _, stderr) = await ExportAsync("run-1", "--data", "returns", "--out", file);

        Assert.True(code == 0, stderr);
        Assert.Equal(
            [
                """{"_platform":"demo","_shop":"10001","_dataset":"returns","return_sn":"R1","item":[{"item_id":7}]}""",
                """{"_platform":"demo","_shop":"10001","_dataset":"returns","return_sn":"R2","amount":3}""",
            ],
            File.ReadAllLines(file));
        Assert.Contains($"2 returns record(s) of job run-1 exported from {Path.GetFullPath(Path.Combine(DataDirectory, "backfill.db"))}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_TheDatabaseHeldByAnotherProcess_Exits1SayingSo()
    {
        using var held = Seed();

        var (code, _, stderr) = await ExportAsync("run-1", "--data", "returns", "--out", Path.Combine(_dir, "x.ndjson"));

        Assert.Equal(1, code);
        Assert.Contains("is held by another process", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "x.ndjson")));
    }

    [Fact]
    public async Task Export_NoSchedulerAndNoDatabase_Exits1SayingBoth()
    {
        var (code, _, stderr) = await ExportAsync("run-1", "--data", "orders");

        Assert.Equal(1, code);
        Assert.Contains("no scheduler answers at http://127.0.0.1:", stderr, StringComparison.Ordinal);
        Assert.Contains("and there is no database at", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(DataDirectory), "nothing is created");
    }

    [Theory]
    [InlineData("finance", "Job run-1 did not pull finance; it pulled orders,returns.")]
    [InlineData("refunds", "--data 'refunds' is not one dataset")]
    public async Task Export_ADatasetNotPulledOrNotOne_Exits2(string data, string error)
    {
        Seed().Dispose();

        var (code, _, stderr) = await ExportAsync("run-1", "--data", data);

        Assert.Equal(2, code);
        Assert.Contains(error, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_UnknownJob_Exits2()
    {
        Seed().Dispose();

        var (code, _, stderr) = await ExportAsync("nope", "--data", "orders");

        Assert.Equal(2, code);
        Assert.Contains("No job 'nope'", stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
