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
    private readonly FakeLoggerProvider _provider;

    public LogCapture()
    {
        Collector = new FakeLogCollector(Microsoft.Extensions.Options.Options.Create(new FakeLogCollectorOptions { CollectRecordsForDisabledLogLevels = true }));
        _provider = new FakeLoggerProvider(Collector);
    }

    public FakeLogCollector Collector { get; }

    public IReadOnlyList<string> Lines => [.. Collector.GetSnapshot().Select(Line)];

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
