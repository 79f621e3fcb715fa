namespace Backfill.Benchmarks.Product;

/// <summary>
/// The configuration every product process of one run shares, as flat <c>Section:Key</c> values, written as the
/// appsettings.json of each process's working folder.
/// </summary>
internal sealed class BenchSettings
{
    public const string Platform = "bench";
    public const long PartnerId = 2_002_001;
    public const string PartnerKey = "bench-partner-key-for-the-simulator";

    private readonly SortedDictionary<string, string> _values = new(StringComparer.OrdinalIgnoreCase);

    public string this[string key]
    {
        get => _values[key];
        set => _values[key] = value;
    }

    /// <summary>Platform <c>bench</c> against a simulator on <paramref name="simulatorUrl"/>, the job's shops with tokens, a quiet log.</summary>
    public static BenchSettings For(Uri simulatorUrl, double permitsPerSecond, IEnumerable<string> shops)
    {
        var settings = new BenchSettings
        {
            [$"Platforms:{Platform}:Kind"] = "shopee",
            [$"Platforms:{Platform}:BaseUrl"] = simulatorUrl.ToString(),
            [$"Platforms:{Platform}:PartnerId"] = PartnerId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"Platforms:{Platform}:PartnerKey"] = PartnerKey,
            [$"Platforms:{Platform}:RateLimit:PermitsPerSecond"] = BackfillCli.Number(permitsPerSecond),
            ["Backfill:TimeZone"] = "UTC",

            // dev-kafka is librdkafka's mock cluster: KIP-848 hands partitions over in about a second, classic in a session timeout.
            ["Kafka:GroupProtocol"] = "consumer",

            // The mock cluster answers an empty fetch only after fetch.wait.max.ms: a resumed partition would wait that long.
            ["Kafka:FetchWaitMax"] = "00:00:00.010",
            ["Backfill:DataDirectory"] = "./data",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var shop in shops)
        {
            settings[$"Platforms:{Platform}:Shops:{shop}:AccessToken"] = $"bench-token-{shop}";
        }

        return settings;
    }

    /// <summary>Applies <c>Key=value</c> pairs given on the harness's command line; they win over everything here.</summary>
    public void Apply(IEnumerable<KeyValuePair<string, string>> overrides)
    {
        foreach (var (key, value) in overrides)
        {
            _values[key] = value;
        }
    }

    /// <summary>Creates <paramref name="directory"/> with this configuration as its appsettings.json; returns the folder.</summary>
    public string WriteTo(string directory)
    {
        AppSettingsFile.Write(directory, _values);
        return directory;
    }
}
