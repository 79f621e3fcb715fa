using System.Text.Json;
using Backfill.Cli.Output;
using Backfill.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Backfill.Cli.Tests;

/// <summary>
/// <c>Logging:Console:FormatterName=json</c>: the processes' console log on stderr is one JSON object per line, with the
/// slice's job, slice, shop and platform as fields of its scope; a format that does not exist is refused at start.
/// </summary>
public sealed partial class JsonLogTests
{
    [Fact]
    public void Json_OneObjectPerLine_WithTheSlicesFieldsInItsScope()
    {
        var lines = Logged("json", logger =>
        {
            using (SliceLogScope.Begin(logger, "job-1", "job-1|10001|2024-01-01", "10001", "demo"))
            {
                StepDone(logger, "job-1|10001|2024-01-01#1.0", 2);
            }

            OutsideASlice(logger);
        });

        Assert.Equal(2, lines.Count);
        using var first = JsonDocument.Parse(lines[0]);
        var entry = first.RootElement;
        Assert.Equal("Information", entry.GetProperty("LogLevel").GetString());
        Assert.Equal("Backfill.Worker.ActionHandler", entry.GetProperty("Category").GetString());
        Assert.Equal("Step job-1|10001|2024-01-01#1.0 done: 2 page(s)", entry.GetProperty("Message").GetString());
        Assert.Equal(2, entry.GetProperty("State").GetProperty("Pages").GetInt32());
        var scope = entry.GetProperty("Scopes").EnumerateArray().Single();
        Assert.Equal("job-1", scope.GetProperty("job").GetString());
        Assert.Equal("job-1|10001|2024-01-01", scope.GetProperty("slice").GetString());
        Assert.Equal("10001", scope.GetProperty("shop").GetString());
        Assert.Equal("demo", scope.GetProperty("platform").GetString());
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Empty(second.RootElement.GetProperty("Scopes").EnumerateArray());
    }

    [Fact]
    public void Simple_IsTheDefault_OneLineOfText()
    {
        var lines = Logged(null, logger => StepDone(logger, "a#1.0", 1));

        Assert.Equal(" info: Backfill.Worker.ActionHandler[1] Step a#1.0 done: 1 page(s)", Assert.Single(lines)[8..]);
    }

    [Fact]
    public async Task AFormatThatDoesNotExist_Exits2NamingTheSetting()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("serve", "--urls", "http://127.0.0.1:0", "--Logging:Console:FormatterName=xml");

        Assert.Equal(2, code);
        Assert.Contains("Logging:Console:FormatterName 'xml' is not a log format; use simple or json.", stderr, StringComparison.Ordinal);
    }

    private static List<string> Logged(string? format, Action<ILogger> log)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [ConsoleFormat.Key] = format })
            .Build();
        var stderr = Console.Error;
        using var captured = new StringWriter();
        Console.SetError(captured);
        try
        {
            // Disposing the factory drains the console logger's queue.
            using (var factory = LoggerFactory.Create(logging => ProcessLogging.Configure(logging, configuration)))
            {
                log(factory.CreateLogger("Backfill.Worker.ActionHandler"));
            }
        }
        finally
        {
            Console.SetError(stderr);
        }

        return [.. captured.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Step {Action} done: {Pages} page(s)")]
    private static partial void StepDone(ILogger logger, string action, int pages);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Outside any slice")]
    private static partial void OutsideASlice(ILogger logger);
}
