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
        logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
    }
}
