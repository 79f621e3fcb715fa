using System.Buffers;
using System.Text.Json;
using System.Threading.Channels;
using Backfill.Core.Data;

namespace Backfill.Storage.Records;

/// <summary>
/// A job's records of one dataset as JSON Lines: one line per record, the platform's record as stored with
/// <c>_platform</c>, <c>_shop</c> and <c>_dataset</c> members put first. The record is not parsed and written again: its
/// bytes follow the added members (a record with line breaks in it, which no line may hold, is the exception). Records
/// are written as they are read, one line in memory at a time; the caller's stream applies back-pressure.
/// </summary>
public static class RecordExport
{
    /// <summary>The media type of an export.</summary>
    public const string ContentType = "application/x-ndjson; charset=utf-8";

    /// <summary>Records read ahead of the writer at most.</summary>
    private const int ReadAhead = 256;

    /// <summary>
    /// Writes every record of <paramref name="records"/> to <paramref name="output"/>; returns how many. The records are
    /// enumerated on one thread of their own: a LiteDB query's cursor belongs to the thread that opened it, and the
    /// writes here resume on any thread, so enumerating across them broke reads while the sink was writing.
    /// </summary>
    public static async Task<long> WriteAsync(IEnumerable<RecordDocument> records, Datasets dataset, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(output);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<RecordDocument>(new BoundedChannelOptions(ReadAhead) { SingleReader = true, SingleWriter = true });
        var reader = Task.Factory.StartNew(
            () =>
            {
                try
                {
                    foreach (var record in records)
                    {
                        channel.Writer.WriteAsync(record, stop.Token).AsTask().GetAwaiter().GetResult();
                    }

                    channel.Writer.Complete();
                }
                catch (Exception e)
                {
                    channel.Writer.Complete(e);
                }
            },
            stop.Token,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var line = new ArrayBufferWriter<byte>(4096);
        long count = 0;
        try
        {
            await foreach (var record in channel.Reader.ReadAllAsync(cancellationToken))
            {
                line.ResetWrittenCount();
                Line(record, dataset, line);
                await output.WriteAsync(line.WrittenMemory, cancellationToken);
                count++;
            }

            await output.FlushAsync(cancellationToken);
            return count;
        }
        finally
        {
            // A writer that stopped early (a client gone) stops the reading too.
            await stop.CancelAsync();
            await reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>One record's line, its newline included.</summary>
    public static void Line(RecordDocument record, Datasets dataset, IBufferWriter<byte> line)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(line);
        ReadOnlySpan<byte> json = record.JsonUtf8();
        if (json.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            json = Compact(json);
        }

        json = json.Trim(" \t"u8);
        var isObject = json.Length >= 2 && json[0] == (byte)'{';
        var members = isObject ? json[1..].TrimStart(" \t"u8) : json;
        Write(line, "{\"_platform\":"u8);
        Write(line, JsonSerializer.SerializeToUtf8Bytes(record.Platform));
        Write(line, ",\"_shop\":"u8);
        Write(line, JsonSerializer.SerializeToUtf8Bytes(record.Shop));
        Write(line, ",\"_dataset\":"u8);
        Write(line, JsonSerializer.SerializeToUtf8Bytes(DatasetNames.Name(dataset)));
        if (!isObject)
        {
            // Not what the platforms return; kept whole under a member of its own rather than dropped.
            Write(line, ",\"_record\":"u8);
            Write(line, json);
            Write(line, "}"u8);
        }
        else if (members.Length > 0 && members[0] == (byte)'}')
        {
            Write(line, "}"u8);
        }
        else
        {
            Write(line, ","u8);
            Write(line, members);
        }

        Write(line, "\n"u8);
    }

    private static byte[] Compact(ReadOnlySpan<byte> json)
    {
        using var document = JsonDocument.Parse(json.ToArray());
        return JsonSerializer.SerializeToUtf8Bytes(document.RootElement);
    }

    private static void Write(IBufferWriter<byte> to, ReadOnlySpan<byte> bytes) => to.Write(bytes);
}
