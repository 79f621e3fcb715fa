namespace Backfill.Cli.Tests;

/// <summary>A number that is not one: a usage error naming the option and the form it takes, never a .NET type or a crash.</summary>
public sealed class NumberArgumentsTests
{
    [Theory]
    [InlineData("demo --days abc", "--days takes a whole number, e.g. 30; got 'abc'.")]
    [InlineData("demo --days 2.5", "--days takes a whole number, e.g. 30; got '2.5'.")]
    [InlineData("demo --shops 1e3", "--shops takes a whole number, e.g. 30; got '1e3'.")]
    [InlineData("start --platform demo --shop 1 --days x", "--days takes a whole number, e.g. 30; got 'x'.")]
    [InlineData("start --platform demo --shop 1 --days 3 --slices-per-release many", "--slices-per-release takes a whole number, e.g. 30; got 'many'.")]
    [InlineData("worker --concurrency two", "--concurrency takes a whole number, e.g. 30; got 'two'.")]
    [InlineData("dev-kafka --brokers 3.0", "--brokers takes a whole number, e.g. 30; got '3.0'.")]
    [InlineData("platform-sim --port http", "--port takes a whole number, e.g. 30; got 'http'.")]
    [InlineData("platform-sim --limit fast", "--limit takes a number, e.g. 2.5; got 'fast'.")]
    [InlineData("platform-sim --per-shop 1,5", "--per-shop takes a number, e.g. 2.5; got '1,5'.")]
    [InlineData("limit demo ten", "PERMITS takes a number, e.g. 2.5; got 'ten'.")]
    [InlineData("limit demo --margin abc", "--margin takes a number, e.g. 2.5; got 'abc'.")]
    public async Task NotANumber_Exits2_NamingTheOptionAndItsForm(string args, string error)
    {
        var (code, _, stderr) = await CliRunner.RunAsync(args.Split(' '));

        Assert.Equal(2, code);
        Assert.Contains(error, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", stderr, StringComparison.Ordinal);
        Assert.Contains($"Try 'backfill {args.Split(' ')[0]} --help'.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMarginOutOfRange_IsOneError_SayingTheRange()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("limit", "demo", "--margin", "1.5");

        Assert.Equal(2, code);
        Assert.Contains("--margin must be at least 0 and less than 1", stderr, StringComparison.Ordinal);
        Assert.Equal(2, stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
