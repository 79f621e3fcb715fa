using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Backfill.Core.Data;
using Backfill.Storage.Records;

namespace Backfill.Storage.Tests;

public sealed class RecordExportTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _temp = new();

    private static string Line(string json, Datasets dataset = Datasets.Orders, string shop = "1")
    {
        var (_, record) = RecordStoreTests.Record(dataset, shop, "A", Now, json: json);
        var line = new ArrayBufferWriter<byte>();
        RecordExport.Line(record, dataset, line);
        return Encoding.UTF8.GetString(line.WrittenSpan);
    }

    [Fact]
    public void Line_PutsTheKeysFirst_AndTheRecordsMembersAfterThemAsStored()
    {
        Assert.Equal(
            """{"_platform":"shopee","_shop":"1","_dataset":"finance","order_sn":"A","escrow_amount":12.50,"items":[{"q":1}]}""" + "\n",
            Line("""{"order_sn":"A","escrow_amount":12.50,"items":[{"q":1}]}""", Datasets.Finance));
    }

    [Fact]
    public void Line_OfAnEmptyRecord_HasTheKeysOnly_AndIsValidJson()
    {
        Assert.Equal("""{"_platform":"shopee","_shop":"1","_dataset":"returns"}""" + "\n", Line(" { } ", Datasets.Returns));
    }

    [Fact]
    public void Line_OfARecordWithLineBreaks_IsOneLine_WithTheSameMembers()
    {
        var line = Line("{\n  \"order_sn\": \"A\",\r\n  \"note\": \"two\\nlines\"\n}");

        Assert.Equal(1, line.Count(c => c == '\n'));
        var json = JsonDocument.Parse(line).RootElement;
        Assert.Equal(("A", "two\nlines"), (json.GetProperty("order_sn").GetString(), json.GetProperty("note").GetString()));
    }

    [Fact]
    public void Line_EscapesTheKeys()
    {
        var json = JsonDocument.Parse(Line("""{"a":1}""", shop: "sh\"op")).RootElement;

        Assert.Equal("sh\"op", json.GetProperty("_shop").GetString());
    }

    [Fact]
    public void Line_OfAGzippedRecord_IsTheRecordDecompressed()
    {
        var large = $$"""{"order_sn":"A","item_list":[{{string.Join(',', Enumerable.Range(0, 500).Select(i => $$"""{"item_id":{{i}}}"""))}}]}""";

        Assert.Equal("""{"_platform":"shopee","_shop":"1","_dataset":"orders",""" + large[1..] + "\n", Line(large));
    }

    /// <summary>
    /// What this proves: while an export of 20,000 records of 2 KB (about 40 MB of lines) is part way — its output
    /// stopped by a pipe that holds at most 64 KB — the managed heap holds a small part of it, so the records are read
    /// as they are written, not gathered first. It does not measure LiteDB's own page cache, which is bounded by LiteDB.
    /// </summary>
    [Fact]
    public async Task WriteAsync_ManyRecords_StreamsThem_WithoutHoldingThemAll()
    {
        const int Count = 20_000;
        var padding = new string('x', 2_000);
        var store = new RecordStore(_temp.Db);
        foreach (var chunk in Enumerable.Range(0, Count).Chunk(2_000))
        {
            store.Upsert([.. chunk.Select(i => RecordStoreTests.Record(Datasets.Orders, "1", $"{i:D6}", Now, job: "big", json: $$"""{"order_sn":"{{i:D6}}","pad":"{{padding}}"}"""))], Now);
        }

        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024));
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var export = Task.Run(async () =>
        {
            await using var output = pipe.Writer.AsStream();
            return await RecordExport.WriteAsync(store.OfJob(Datasets.Orders, "big"), Datasets.Orders, output, CancellationToken.None);
        });

        // Read the first lines, then let the writer fill the pipe and wait on it: the heap is measured mid-export.
        var input = pipe.Reader.AsStream();
        using var reader = new StreamReader(input);
        var first = await reader.ReadLineAsync();
        Assert.StartsWith("""{"_platform":"shopee","_shop":"1","_dataset":"orders","order_sn":"000000",""", first, StringComparison.Ordinal);
        await Task.Delay(200);
        Assert.False(export.IsCompleted, "the export waits on the reader");
        var during = GC.GetTotalMemory(forceFullCollection: true);
        // Held whole, the lines alone would be 42 MB (twice that as strings); streamed, what is on the heap is the pipe, a
        // batch of documents and LiteDB's page cache, which varies by a few MB with the collector's timing.
        Assert.True(during - before < Count * 2_100 / 4, $"{(during - before) / 1_000_000.0:0.0} MB more on the heap mid-export of ~{Count * 2_100 / 1_000_000} MB of lines");

        var lines = 1;
        var previous = first!;
        while (await reader.ReadLineAsync() is { } line)
        {
            Assert.True(string.CompareOrdinal(line, previous) > 0, "lines come in id order");
            previous = line;
            lines++;
        }

        Assert.Equal(Count, lines);
        Assert.Equal(Count, await export);
    }

    public void Dispose() => _temp.Dispose();
}
