using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace Backfill.Hosting.Tests.Configuration;

/// <summary>
/// config/docker-compose.yml read as YAML: its services run the product's verbs with options those verbs have, and
/// the settings they pass as environment variables are keys the product knows and accepts at start.
/// </summary>
public sealed partial class ComposeFileTests
{
    // The sections the start check binds strictly: a key none of their options has is an error there.
    private static readonly string[] CheckedSections = ["Kafka", "Backfill", "Worker", "Platforms"];

    private static readonly YamlMappingNode Services = (YamlMappingNode)Load()["services"];

    [Fact]
    public void Services_AreKafkaServeTwoWorkersAndTheSimulatorOfTheDemoProfile()
    {
        Assert.Equal(["kafka", "serve", "worker", "platform-sim"], Services.Children.Keys.Select(k => k.ToString()));
        Assert.StartsWith("apache/kafka:", Scalar(Service("kafka"), "image"), StringComparison.Ordinal);
        Assert.Equal("2", Scalar((YamlMappingNode)Service("worker")["deploy"], "replicas"));
        Assert.Equal(["demo"], Sequence(Service("platform-sim"), "profiles"));
        foreach (var name in ProductServices)
        {
            Assert.StartsWith("backfill:", Scalar(Service(name), "image"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void EveryProductService_SetsOnlyKeysOfTheCheckedSections_AndPassesTheStartCheck()
    {
        foreach (var name in ProductServices)
        {
            var environment = Environment(name);
            foreach (var key in environment.Keys)
            {
                Assert.True(CheckedSections.Contains(key.Split(':')[0], StringComparer.Ordinal), $"{name}: {key} is not in a section the start check knows");
            }

            Assert.Empty(ConfigurationCheck.Validate(Configuration(environment)));
        }
    }

    // The check above can fail: a key the product does not know, as a typo would make it, is refused naming the key.
    [Theory]
    [InlineData("Kafka:BootstrapServer")]
    [InlineData("Backfill:ApiTokn")]
    [InlineData("Worker:HealthURI")]
    [InlineData("Platforms:demo:Base_Url")]
    public void AKeyTheProductDoesNotKnow_IsRefusedNamingIt(string typo)
    {
        var environment = Environment("serve");
        environment[typo] = "x";

        var errors = ConfigurationCheck.Validate(Configuration(environment));

        Assert.Contains(errors, e => e.Contains(typo.Split(':')[^1], StringComparison.Ordinal));
    }

    [Fact]
    public void HealthChecks_AskTheReadinessOfThePortEachProcessListensOn()
    {
        Assert.Equal("http://0.0.0.0:5080", Option(Command("serve"), "--urls"));
        Assert.Contains("/dev/tcp/127.0.0.1/5080", HealthCheck("serve"), StringComparison.Ordinal);
        Assert.Contains("GET /healthz/ready ", HealthCheck("serve"), StringComparison.Ordinal);

        Assert.Equal("http://0.0.0.0:5081", Option(Command("worker"), "--health-url"));
        Assert.Contains("/dev/tcp/127.0.0.1/5081", HealthCheck("worker"), StringComparison.Ordinal);
        Assert.Contains("GET /healthz/ready ", HealthCheck("worker"), StringComparison.Ordinal);

        Assert.Contains("kafka-broker-api-versions.sh --bootstrap-server localhost:9092", HealthCheck("kafka"), StringComparison.Ordinal);
        Assert.Contains("/dev/tcp/127.0.0.1/5090", HealthCheck("platform-sim"), StringComparison.Ordinal);
    }

    [Fact]
    public void TheProcessesMeet_OnTheBrokersListenerAndTheSimulatorsPort()
    {
        var advertised = Scalar((YamlMappingNode)Service("kafka")["environment"], "KAFKA_ADVERTISED_LISTENERS");
        var simulator = $"http://platform-sim:{Option(Command("platform-sim"), "--port")}";
        Assert.Equal("0.0.0.0", Option(Command("platform-sim"), "--address"));
        foreach (var name in new[] { "serve", "worker" })
        {
            var environment = Environment(name);
            Assert.Equal(advertised, $"PLAINTEXT://{environment["Kafka:BootstrapServers"]}");
            Assert.Equal(simulator, environment["Platforms:demo:BaseUrl"]);
            Assert.Equal(Environment("serve")["Kafka:Namespace"], environment["Kafka:Namespace"]);
        }
    }

    [Fact]
    public void Serve_KeepsItsLiteDbFolderInsideItsVolume()
    {
        var volume = Sequence(Service("serve"), "volumes").Single().Split(':');
        var data = Environment("serve")["Backfill:DataDirectory"]!;

        Assert.Equal("backfill-data", volume[0]);
        Assert.True(data.StartsWith(volume[1] + "/", StringComparison.Ordinal), $"{data} is not in the volume at {volume[1]}");
        Assert.True(((YamlMappingNode)Load()["volumes"]).Children.ContainsKey("backfill-data"));
    }

    [Theory]
    [InlineData("serve", BackfillRoles.Scheduler)]
    [InlineData("worker", BackfillRoles.Worker)]
    public void ProductProcesses_AreGivenLongerToStopThanTheirHostWaits(string service, BackfillRoles roles)
    {
        var grace = TimeSpan.Parse("00:00:" + Scalar(Service(service), "stop_grace_period").TrimEnd('s'), System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(grace >= HostStop.Timeout(Configuration(Environment(service)), roles) + TimeSpan.FromSeconds(5), $"{service} is killed {grace} after it is asked to stop");
    }

    [Theory]
    [InlineData("serve")]
    [InlineData("worker")]
    [InlineData("platform-sim")]
    public async Task EveryServicesCommand_IsAVerbWithOptionsItHas(string service)
    {
        var command = Command(service);
        var (code, help, _) = await CliRunner.RunAsync(command[0], "--help");

        Assert.Equal(0, code);
        foreach (var option in command.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
        {
            Assert.Contains(option, help, StringComparison.Ordinal);
        }
    }

    private static IEnumerable<string> ProductServices => ["serve", "worker", "platform-sim"];

    private static YamlMappingNode Load()
    {
        using var reader = new StreamReader(RepositoryFiles.Path("config", "docker-compose.yml"));
        var yaml = new YamlStream();
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static YamlMappingNode Service(string name) => (YamlMappingNode)Services[name];

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static List<string> Sequence(YamlMappingNode node, string key) => [.. ((YamlSequenceNode)node[key]).Children.Select(c => ((YamlScalarNode)c).Value!)];

    private static List<string> Command(string service) => Sequence(Service(service), "command");

    private static string Option(List<string> command, string name) => command[command.IndexOf(name) + 1];

    private static string HealthCheck(string service) => string.Join(' ', Sequence((YamlMappingNode)Service(service)["healthcheck"], "test"));

    /// <summary>A service's environment as configuration keys (<c>__</c> is <c>:</c>), each <c>${VAR…}</c> as Compose fills it in.</summary>
    private static Dictionary<string, string?> Environment(string service)
    {
        var node = Service(service);
        if (!node.Children.ContainsKey("environment"))
        {
            return new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        }

        return ((YamlMappingNode)node["environment"]).Children.ToDictionary(
            e => e.Key.ToString().Replace("__", ":", StringComparison.Ordinal),
            e => (string?)Interpolation().Replace(((YamlScalarNode)e.Value).Value!, Fill),
            StringComparer.OrdinalIgnoreCase);
    }

    // ${VAR:-default} and ${VAR-default} take the default; ${VAR:?error} and ${VAR} a value the operator would export.
    private static string Fill(Match m) => m.Groups["op"].Value.EndsWith('-') ? m.Groups["rest"].Value : "value-the-operator-exports";

    private static IConfiguration Configuration(Dictionary<string, string?> environment) =>
        new ConfigurationBuilder().AddJsonFile(RepositoryFiles.Path("appsettings.json")).AddInMemoryCollection(environment).Build();

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-?])(?<rest>[^}]*))?\}")]
    private static partial Regex Interpolation();
}
