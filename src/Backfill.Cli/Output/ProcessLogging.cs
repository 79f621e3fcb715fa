using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Backfill.Cli.Output;

/// <summary>
/// Logs of the long-running verbs (<c>serve</c>, <c>worker</c>), one line each on stderr so stdout stays for
/// what scripts read. Information for the product's own categories (<c>Backfill.*</c>), Warning for libraries,
/// unless <c>Logging:LogLevel</c> says otherwise.
/// </summary>
internal static class ProcessLogging
{
    public static void Configure(ILoggingBuilder logging, IConfiguration configuration)
    {
        var levels = configuration.GetSection("Logging:LogLevel");
        var fallback = Enum.TryParse<LogLevel>(levels["Default"], ignoreCase: true, out var level) ? level : LogLevel.Warning;

        // Rules added here come before the configuration's, so a configured category (Logging:LogLevel:Backfill…)
        // wins; a lower configured default (Debug for details) lowers the product's categories with it.
        logging.SetMinimumLevel(fallback);
        logging.AddFilter("Backfill", fallback < LogLevel.Information ? fallback : LogLevel.Information);
        logging.AddConfiguration(configuration.GetSection("Logging"));
        AddConsole(logging, configuration);
    }

    /// <summary>
    /// The console log on stderr, in the format <c>Logging:Console:FormatterName</c> names: <c>simple</c> (the default:
    /// one line per entry with its time) or <c>json</c> (one JSON object per line for machines, with the scopes' fields:
    /// the job, slice, shop and platform an entry is about).
    /// </summary>
    public static void AddConsole(ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        if (ConsoleFormat.Of(configuration) == ConsoleFormat.Json)
        {
            logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
                o.UseUtcTimestamp = true;
            });
            return;
        }

        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
    }
}
