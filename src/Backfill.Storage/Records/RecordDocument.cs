using System.IO.Compression;
using System.Text;
using LiteDB;

namespace Backfill.Storage.Records;

/// <summary>
/// A saved platform record of one dataset, in that dataset's collection. The id is <c>platform:shop:id</c>, so saving it
/// again is an update (R10): the last delivery wins.
/// </summary>
public sealed class RecordDocument
{
    /// <summary>How many jobs <see cref="Jobs"/> remembers: an export of an old job after 16 newer ones re-pulled the record misses it.</summary>
    public const int JobsKept = 16;

    /// <summary>A record's JSON above this many bytes is stored gzipped, as it travels (<c>RecordMessage.CompressAbove</c>).</summary>
    public const int CompressAbove = 8 * 1024;

    public string Id { get; set; } = "";

    public string Platform { get; set; } = "";

    public string Shop { get; set; } = "";

    /// <summary><c>platform:shop</c>, indexed for per-shop reads and range counts.</summary>
    public string ShopKey { get; set; } = "";

    /// <summary>The record's id at the platform (an order's <c>order_sn</c>, a return's <c>return_sn</c>).</summary>
    public string RecordId { get; set; } = "";

    /// <summary>Unix seconds; 0 when the record has none.</summary>
    public long CreateTime { get; set; }

    /// <summary>Unix seconds; 0 when the record has none.</summary>
    public long UpdateTime { get; set; }

    /// <summary>The job and slice that wrote it last.</summary>
    public string JobId { get; set; } = "";

    public string SliceId { get; set; } = "";

    /// <summary>The jobs that delivered it, the most recent last, at most <see cref="JobsKept"/>: what a job's export reads.</summary>
    public List<string> Jobs { get; set; } = [];

    /// <summary>How many times it was delivered; more than one means the sink absorbed duplicates.</summary>
    public int Writes { get; set; }

    public DateTimeOffset SavedAt { get; set; }

    /// <summary>The platform's record as it came, when small.</summary>
    public string? Json { get; set; }

    /// <summary>The platform's record as gzipped UTF-8 JSON, when its JSON is larger than <see cref="CompressAbove"/>.</summary>
    public byte[]? JsonGzip { get; set; }

    public static string MakeId(string platform, string shop, string recordId) => $"{platform}:{shop}:{recordId}";

    /// <summary>A document holding <paramref name="json"/> (UTF-8), gzipped when large; the keys are the caller's to set.</summary>
    public static RecordDocument Of(ReadOnlySpan<byte> json)
    {
        if (json.Length <= CompressAbove)
        {
            return new RecordDocument { Json = Encoding.UTF8.GetString(json) };
        }

        using var buffer = new MemoryStream(json.Length / 4);
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(json);
        }

        return new RecordDocument { JsonGzip = buffer.ToArray() };
    }

    /// <summary>The platform's record as UTF-8 JSON.</summary>
    public byte[] JsonUtf8()
    {
        if (JsonGzip is null)
        {
            return Encoding.UTF8.GetBytes(Json ?? "null");
        }

        using var gzip = new GZipStream(new MemoryStream(JsonGzip), CompressionMode.Decompress);
        using var json = new MemoryStream(JsonGzip.Length * 4);
        gzip.CopyTo(json);
        return json.ToArray();
    }

    /// <summary>Adds <paramref name="job"/> as the most recent of <paramref name="earlier"/>, keeping the last <see cref="JobsKept"/>.</summary>
    internal static List<string> WithJob(IEnumerable<string> earlier, string job)
    {
        var jobs = earlier.Where(j => !string.Equals(j, job, StringComparison.Ordinal)).Append(job).ToList();
        return jobs.Count > JobsKept ? jobs[^JobsKept..] : jobs;
    }

    /// <summary>The index a job's export reads: one key per job of <see cref="Jobs"/>, <c>{job}|{id}</c>, so a job's records are a range in id order.</summary>
    internal const string JobsIndexName = "job_id";

    internal const string JobsIndexExpression = "MAP($.Jobs[*] => (@ + '|' + $._id))";
}
