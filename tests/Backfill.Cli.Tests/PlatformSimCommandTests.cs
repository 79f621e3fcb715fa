namespace Backfill.Cli.Tests;

/// <summary><c>backfill platform-sim</c>'s arguments, refused before a simulator starts.</summary>
public sealed class PlatformSimCommandTests
{
    [Fact]
    public async Task PlatformSim_AnAddressThatIsNoIp_IsAUsageErrorNamingTheOptionAndItsForm()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("platform-sim", "--address", "sim.example");

        Assert.Equal(2, code);
        Assert.Contains("error: --address must be an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0 (got 'sim.example').", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("listening:", stdout, StringComparison.Ordinal);
    }
}
