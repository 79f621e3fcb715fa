using Microsoft.Extensions.Configuration;

namespace Backfill.Cli.Output;

/// <summary><c>Logging:Console:FormatterName</c>: <c>simple</c> when absent, or <c>json</c>; anything else is refused at start.</summary>
internal static class ConsoleFormat
{
    public const string Key = "Logging:Console:FormatterName";
    public const string Simple = "simple";
    public const string Json = "json";

    public static string Of(IConfiguration configuration) => configuration[Key] switch
    {
        null or "" => Simple,
        var name when string.Equals(name, Simple, StringComparison.OrdinalIgnoreCase) => Simple,
        var name when string.Equals(name, Json, StringComparison.OrdinalIgnoreCase) => Json,
        var name => throw new UsageException($"{Key} '{name}' is not a log format; use {Simple} or {Json}."),
    };
}
