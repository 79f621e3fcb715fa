namespace Backfill.Testing;

/// <summary>One server for a test class: starting Kafka and Kestrel once keeps the class fast.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private ServerHarness? _harness;

    internal ServerHarness Harness => _harness ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _harness = await ServerHarness.StartAsync();

    public async Task DisposeAsync()
    {
        if (_harness is not null)
        {
            await _harness.DisposeAsync();
        }
    }
}
