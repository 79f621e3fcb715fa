using System.Text.Json;

namespace Backfill.Cli.Tests;

/// <summary><c>backfill notify test</c> through the real entry point, against a webhook receiver and an SMTP listener.</summary>
[Trait("Category", "Integration")]
public sealed class NotifyCommandTests
{
    private const string Secret = "notify-test-webhook-secret-0123";
    private static readonly string[] TargetMembers = ["target", "delivered", "reason"];

    private static string[] Args(WebhookReceiver receiver, SmtpListener smtp, params string[] more) =>
    [
        "notify", "test",
        $"--Notifications:Webhooks:0:Url={receiver.Url}",
        $"--Notifications:Webhooks:0:Secret={Secret}",
        // This webhook takes job.failed only: a test goes to it all the same.
        "--Notifications:Webhooks:0:Events:0=job.failed",
        "--Notifications:Email:SmtpHost=127.0.0.1",
        $"--Notifications:Email:Port={smtp.Port}",
        "--Notifications:Email:Tls=none",
        "--Notifications:Email:From=backfill@example.com",
        "--Notifications:Email:To:0=oncall@example.com",
        .. more,
    ];

    [Fact]
    public async Task EveryTargetTakesIt_OneLineEach_Exit0_TheWebhookSigned_TheMailSent()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var smtp = new SmtpListener();

        var (code, stdout, stderr) = await CliRunner.RunAsync(Args(receiver, smtp));

        Assert.True(code == 0, stderr + stdout);
        Assert.Equal(
        [
            $"delivered  webhook Notifications:Webhooks:0 (http://127.0.0.1:{receiver.Url.Port})",
            $"delivered  email Notifications:Email (127.0.0.1:{smtp.Port} to oncall@example.com)",
            "Every target (2) took the test notification.",
        ], stdout.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')));
        var body = Assert.Single(receiver.Accepted);
        Assert.Equal(("test", 1), (body.GetProperty("event").GetString(), body.GetProperty("version").GetInt32()));
        Assert.Equal("[backfill] test", Assert.Single(smtp.Received).Subject);
        Assert.DoesNotContain("path-token-not-for-logs", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ATargetThatRefusesOrCannotBeReached_IsNamedWithWhy_Exit1_NoSecretNorPathPrinted()
    {
        await using var receiver = await WebhookReceiver.StartAsync("another-secret-than-the-configured");
        using var smtp = new SmtpListener();
        var unreachable = CliRunner.Unreachable();

        var (code, stdout, _) = await CliRunner.RunAsync(Args(receiver, smtp,
            $"--Notifications:Webhooks:1:Url={unreachable}/hooks/second-path-token",
            $"--Notifications:Webhooks:1:Secret={Secret}",
            "--json"));

        Assert.Equal(1, code);
        var result = JsonDocument.Parse(CliRunner.LastLine(stdout)).RootElement;
        Assert.False(result.GetProperty("ok").GetBoolean());
        var targets = result.GetProperty("targets").EnumerateArray().ToList();
        Assert.All(targets, t => Assert.Equal(TargetMembers, t.EnumerateObject().Select(p => p.Name)));
        Assert.Equal([false, false, true], targets.Select(t => t.GetProperty("delivered").GetBoolean()));
        Assert.Equal("HTTP 401 Unauthorized", targets[0].GetProperty("reason").GetString());
        Assert.Contains("Connection refused", targets[1].GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal($"webhook Notifications:Webhooks:1 ({unreachable})", targets[1].GetProperty("target").GetString());
        Assert.DoesNotContain(Secret, stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("path-token", stdout, StringComparison.Ordinal);
        Assert.Equal(1, receiver.BadSignatures);
    }

    [Fact]
    public async Task NoTargetConfigured_IsAUsageError_SayingWhatToSet()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("notify", "test");

        Assert.Equal(2, code);
        Assert.StartsWith("error: No notification target is configured: set Notifications:Webhooks or Notifications:Email", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInvalidTarget_IsAUsageError_NamingTheKey()
    {
        var (code, _, stderr) = await CliRunner.RunAsync("notify", "test", "--Notifications:Webhooks:0:Url=not a url", $"--Notifications:Webhooks:0:Secret={Secret}");

        Assert.Equal(2, code);
        Assert.Contains("Notifications:Webhooks:0:Url must be an absolute http or https URL", stderr, StringComparison.Ordinal);
    }
}
