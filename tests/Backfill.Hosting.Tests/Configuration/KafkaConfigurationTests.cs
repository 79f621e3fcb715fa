using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting.Tests.Configuration;

public sealed class KafkaConfigurationTests
{
    [Fact]
    public void TheDefaults_HaveNoErrors() => Assert.Empty(ConfigurationCheck.Validate(With()));

    // A worker's ownership lease is a third of what the session leaves after one heartbeat interval: there must be some.
    [Theory]
    [InlineData("00:00:10", "00:00:10")]
    [InlineData("00:00:03", "00:00:05")]
    [InlineData("00:00:10", "00:00:00")]
    public void AHeartbeatThatIsNotShorterThanTheSession_IsAnErrorNamingBothKeys(string session, string heartbeat)
    {
        var errors = ConfigurationCheck.Validate(With(("Kafka:SessionTimeout", session), ("Kafka:HeartbeatInterval", heartbeat)));

        Assert.Contains(errors, e => e.Contains("Kafka:HeartbeatInterval must be positive and shorter than Kafka:SessionTimeout", StringComparison.Ordinal));
    }

    private static IConfiguration With(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
}
