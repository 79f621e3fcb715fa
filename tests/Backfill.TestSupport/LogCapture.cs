using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Backfill.Testing;

/// <summary>
/// Every log record of every level (Trace up), kept by <see cref="FakeLogCollector"/>: for tests that read debug lines,
/// count warnings, or must show a secret appears in none. <see cref="Lines"/> gives each as
/// <c>{Level} {Category}: {message} [{structured values}] {exception}</c>.
/// </summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly FakeLogCollector _collector = new(Microsoft.Extensions.Options.Options.Create(new FakeLogCollectorOptions { CollectRecordsForDisabledLogLevels = true }));
    private readonly FakeLoggerProvider _provider;

    // The records formatted so far: the collector only appends, so a read formats the records that came since the last.
    private readonly List<string> _lines = [];

    public LogCapture() => _provider = new FakeLoggerProvider(_collector);

    public IReadOnlyList<string> Lines
    {
        get
        {
            var records = _collector.GetSnapshot();
            lock (_lines)
            {
                for (var i = _lines.Count; i < records.Count; i++)
                {
                    _lines.Add(Line(records[i]));
                }

                return [.. _lines];
            }
        }
    }

    /// <summary>Lines that contain <paramref name="fragment"/>.</summary>
    public int Count(string fragment) => Lines.Count(l => l.Contains(fragment, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => _provider.CreateLogger(categoryName);

    public void Dispose() => _provider.Dispose();

    private static string Line(FakeLogRecord record)
    {
        var values = record.StructuredState is { } state ? string.Join(", ", state.Select(p => $"{p.Key}={p.Value}")) : "";
        return $"{record.Level} {record.Category}: {record.Message} [{values}] {record.Exception}";
    }
}
