using Backfill.Hosting;
using Microsoft.Extensions.Configuration;

namespace Backfill.Cli;

/// <summary>
/// appsettings.json (beside the executable, then the working folder), environment variables (<c>__</c> for
/// <c>:</c>), then <c>--Section:Key=value</c> arguments, in rising priority. Validated before anything starts.
/// </summary>
internal static class CliConfiguration
{
    /// <summary>Splits <c>--Section:Key=value</c> overrides from the verb's own arguments.</summary>
    public static (string[] Verb, Dictionary<string, string?> Overrides) Split(string[] args)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var rest = new List<string>();
        foreach (var arg in args)
        {
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            var colon = arg.IndexOf(':', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && colon > 2 && eq > colon)
            {
                overrides[arg[2..eq]] = arg[(eq + 1)..];
            }
            else
            {
                rest.Add(arg);
            }
        }

        return ([.. rest], overrides);
    }

    public static IConfigurationRoot Build(IReadOnlyDictionary<string, string?> overrides, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var configuration = Load(overrides, extra);
        var errors = ConfigurationCheck.Validate(configuration);
        if (errors.Count > 0)
        {
            throw new UsageException("Invalid configuration:\n  " + string.Join("\n  ", errors));
        }

        return configuration;
    }

    /// <summary>The same sources, not validated: for <c>doctor</c>, which reports what is wrong as one of its checks.</summary>
    public static IConfigurationRoot Load(IReadOnlyDictionary<string, string?> overrides, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true);
        var local = Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json");
        if (!string.Equals(Path.GetFullPath(local), Path.Combine(AppContext.BaseDirectory, "appsettings.json"), StringComparison.Ordinal))
        {
            builder.AddJsonFile(local, optional: true);
        }

        return builder
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .AddInMemoryCollection(extra ?? new Dictionary<string, string?>())
            .Build();
    }
}
