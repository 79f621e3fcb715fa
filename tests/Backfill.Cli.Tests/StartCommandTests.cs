using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Backfill.Cli.Tests;

public sealed class StartCommandTests
{
    [Theory]
    [InlineData("--platform demo --days 3", "Option '--shop' is required.")]
    [InlineData("--shop 1 --days 3", "Option '--platform' is required.")]
    [InlineData("--platform demo --shop 1", "Give either --from and --to, or --days.")]
    [InlineData("--platform demo --shop 1 --days 3 --from 2024-05-01 --to 2024-05-02", "Give either --from and --to, or --days.")]
    [InlineData("--platform demo --shop 1 --from 2024-05-01", "--from and --to go together.")]
    [InlineData("--platform demo --shop 1 --days 0", "--days must be at least 1.")]
    [InlineData("--platform demo --shop 1 --days 1 --release-every 0", "--release-every: '0' is not a cadence: write auto or HH:MM:SS")]
    [InlineData("--platform demo --shop 1 --days 1 --slices-per-release 0", "--slices-per-release must be at least 1.")]
    [InlineData("--platform demo --shop 1 --days 1 --data orders,refunds", "--data: 'refunds' is not a dataset; the datasets are orders, finance, returns")]
    [InlineData("--platform demo --shop 1 --days 1 --data orders --data ,", "--data: '' is not a dataset")]
    [InlineData("--platform demo --shop 1 --days 1 --time-field paid_time", "--time-field: 'paid_time' is not a time field; the time fields are create_time and update_time.")]
    public async Task Start_BadUsage_Exits2AndSaysWhy(string args, string error)
    {
        var (code, _, stderr) = await CliRunner.RunAsync(["start", .. args.Split(' ')]);

        Assert.Equal(2, code);
        Assert.Contains(error, stderr, StringComparison.Ordinal);
        Assert.Contains("Try 'backfill start --help'.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_DayThatIsNoDate_Exits2BeforeCallingTheServer()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "1", "--from", "2024-05-01", "--to", "tomorrow", "--server", CliRunner.Unreachable());

        Assert.Equal(2, code);
        Assert.Equal("error: --to 'tomorrow' is not a date; use YYYY-MM-DD.", stderr.Trim());
    }

    [Fact]
    public async Task Start_ServerNotAnHttpUrl_Exits2()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "1", "--days", "1", "--server", "scheduler:5080");

        Assert.Equal(2, code);
        Assert.Contains("--server 'scheduler:5080' is not an http:// URL", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ServerUnreachable_Exits1WithOneClearLine()
    {
        var server = CliRunner.Unreachable();

        var (code, stdout, stderr) = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "1", "--days", "1", "--server", server);

        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Equal($"error: cannot reach the scheduler at {server} (is 'backfill serve' running?)", stderr.Trim());
    }
}

[Trait("Category", "Integration")]
public sealed class StartCommandServerTests(ServerFixture fixture) : IClassFixture<ServerFixture>
{
    private string Server => fixture.Harness.BaseUrl.ToString();

    [Fact]
    public async Task Start_PrintsTheJobId_AndTheJobExists()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "30001", "--shop", "30002", "--from", "2024-05-01", "--to", "2024-05-04", "--server", Server);

        Assert.True(code == 0, stderr);
        var id = stdout.Trim();
        Assert.StartsWith("demo-20240501-20240504-", id, StringComparison.Ordinal);
        Assert.Contains($"follow it with 'backfill status {id}'", stderr, StringComparison.Ordinal);
        var status = await fixture.Harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
        Assert.Equal(6, status.GetProperty("slices").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Start_WithDataAndTimeField_TheJobAndItsActionsCarryThem()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "30001", "--from", "2019-03-01", "--to", "2019-03-02", "--data", "finance", "--data", "returns,finance", "--time-field", "update_time", "--release-every", "00:00:00.100", "--allow-overlap", "--server", Server);

        Assert.True(code == 0, stderr);
        var id = stdout.Trim();
        var status = await fixture.Harness.Http.GetFromJsonAsync<JsonElement>($"/api/jobs/{id}");
        Assert.Equal(["finance", "returns"], status.GetProperty("data").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("update_time", status.GetProperty("timeField").GetString());
        Assert.Equal(["finance", "returns"], status.GetProperty("datasets").EnumerateArray().Select(d => d.GetProperty("data").GetString()));

        // The slice's first step goes out with what the job pulls.
        var clients = fixture.Harness.App.Services.GetRequiredService<Backfill.Messaging.Clients.KafkaClients>();
        Backfill.Messaging.Contracts.ActionMessage? action = null;
        using var consumer = clients.ConsumerBuilder($"start-tests-{Guid.NewGuid():N}", "start-tests").Build();
        consumer.Subscribe(clients.Connection.Topics.Actions);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (action is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "no action of the job within 30 s");
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } consumed
                && Backfill.Messaging.Contracts.MessageCodec.Decode<Backfill.Messaging.Contracts.ActionMessage>(consumed.Message.Value) is { } read && read.Job == id)
            {
                action = read;
            }
        }

        consumer.Close();
        Assert.Equal((Backfill.Core.Data.Datasets.Finance | Backfill.Core.Data.Datasets.Returns, "update_time"), (action.Data, action.TimeField));
    }

    [Fact]
    public async Task Start_Json_LastLineIsTheServersAnswer()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "30001", "--days", "2", "--release-every", "00:00:01", "--slices-per-release", "2", "--json", "--server", Server);

        Assert.True(code == 0, stderr);
        var json = JsonSerializer.Deserialize<JsonElement>(CliRunner.LastLine(stdout));
        Assert.Equal(["job"], json.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Start_RefusedByTheServer_Exits2WithTheProblemDetail()
    {
        var (code, stdout, stderr) = await CliRunner.RunAsync("start", "--platform", "nope", "--shop", "1", "--days", "1", "--server", Server);

        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal("error: Unknown platform 'nope'. Configured platforms: demo.", stderr.Trim());
    }

    [Fact]
    public async Task Start_ReversedRange_Exits2WithTheProblemDetail()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("start", "--platform", "demo", "--shop", "1", "--from", "2024-05-08", "--to", "2024-05-01", "--server", Server);

        Assert.Equal(2, code);
        Assert.StartsWith("error: The range is reversed", stderr.Trim(), StringComparison.Ordinal);
    }
}
