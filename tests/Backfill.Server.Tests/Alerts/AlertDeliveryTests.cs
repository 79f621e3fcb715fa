using Backfill.Scheduling.Alerts;
using Backfill.Server.Tests.Control;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Backfill.Server.Tests.Alerts;

/// <summary>Alerts on real parts: a scheduler with its workers on the mock cluster, a webhook receiver on Kestrel, an SMTP listener.</summary>
[Trait("Category", "Integration")]
public sealed class AlertDeliveryTests
{
    private const string Secret = "alerts-test-webhook-secret-0123";
    private const string SmtpPassword = "alerts-test-smtp-password-4567";

    [Fact]
    public async Task AJobThatFailsSlices_SendsOneSliceFailedBatchThenJobFailed_ToTheWebhookSigned_AndByMail_NoSecretAnywhere()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        using var smtp = new SmtpListener();
        var logs = new LogCapture();
        await using var harness = await ServerHarness.StartAsync(logs: logs, settings: new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Notifications:Webhooks:0:Url"] = receiver.Url.ToString(),
            ["Notifications:Webhooks:0:Secret"] = Secret,
            ["Notifications:Email:SmtpHost"] = "127.0.0.1",
            ["Notifications:Email:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Notifications:Email:Tls"] = "none",
            ["Notifications:Email:User"] = "backfill",
            ["Notifications:Email:Password"] = SmtpPassword,
            ["Notifications:Email:From"] = "backfill@example.com",
            ["Notifications:Email:To:0"] = "oncall@example.com",
            ["Notifications:Email:To:1"] = "lead@example.com",
            ["Notifications:Email:Events:0"] = "slice.failed",
            ["Notifications:Email:Events:1"] = "job.failed",
            // Both failed slices fail within one batch window, whatever the machine's load.
            ["Notifications:SliceFailedBatch"] = "00:00:30",
        });
        harness.Simulator.Switches.AuthFailShops.Add("30002");
        using var worker = harness.WorkerHost();
        await worker.StartAsync();
        try
        {
            var job = await CancelTests.CreateAsync(harness, new DateOnly(2024, 2, 26), 2);
            await Poll.Eventually(() => Task.FromResult(receiver.Accepted.Any(a => a.GetProperty("event").GetString() == "job.failed")), TimeSpan.FromSeconds(90), "job.failed at the webhook");
            await Poll.Eventually(() => Task.FromResult(smtp.Received.Count >= 2), TimeSpan.FromSeconds(30), "two mails");

            var events = receiver.Accepted.Where(a => a.TryGetProperty("job", out var j) && j.GetString() == job).ToList();
            Assert.Equal(["slice.failed", "job.failed"], events.Select(a => a.GetProperty("event").GetString()));
            var batch = events[0];
            Assert.Equal((1, "demo"), (batch.GetProperty("version").GetInt32(), batch.GetProperty("platform").GetString()));
            var slices = batch.GetProperty("slices").EnumerateArray().ToList();
            Assert.Equal([$"{job}/30002/20240226", $"{job}/30002/20240227"], slices.Select(s => s.GetProperty("slice").GetString()).Order(StringComparer.Ordinal));
            Assert.All(slices, s => Assert.Contains("error_auth", s.GetProperty("error").GetString(), StringComparison.Ordinal));
            var end = events[1];
            Assert.Equal(("failed", 2L, 2L), (end.GetProperty("state").GetString(), end.GetProperty("counts").GetProperty("succeeded").GetInt64(), end.GetProperty("counts").GetProperty("failed").GetInt64()));
            Assert.Equal(0, receiver.BadSignatures);
            Assert.All(receiver.RawBodies, b => Assert.DoesNotContain(Secret, b, StringComparison.Ordinal));

            // The listener does not keep the order mails arrived in; the webhook's order is checked above.
            var mails = smtp.Received.OrderBy(m => m.Subject, StringComparer.Ordinal).ToList();
            Assert.Equal([$"[backfill] job.failed: job {job}, platform demo", $"[backfill] slice.failed: job {job}, 2 slice(s), platform demo"], mails.Select(m => m.Subject));
            Assert.All(mails, m => Assert.Equal(["oncall@example.com", "lead@example.com"], m.To.Mailboxes.Select(a => a.Address)));
            Assert.Contains($"{job}/30002/20240226 (shop 30002, attempt 1", mails[1].TextBody, StringComparison.Ordinal);

            // Neither secret nor the webhook's path in what the scheduler logs, answers or sends; its deliveries are logged.
            var seen = new Dictionary<string, string>
            {
                ["logs"] = string.Join('\n', logs.Lines),
                ["status"] = await harness.Http.GetStringAsync($"/api/jobs/{job}"),
                ["metrics"] = await harness.Http.GetStringAsync("/metrics"),
                ["webhook bodies"] = string.Join('\n', receiver.RawBodies),
                ["mails"] = string.Join('\n', mails.Select(m => m.ToString())),
            };
            Assert.Contains($"delivered to webhook Notifications:Webhooks:0 (http://127.0.0.1:{receiver.Url.Port})", seen["logs"], StringComparison.Ordinal);
            foreach (var (where, text) in seen)
            {
                foreach (var secret in new[] { Secret, SmtpPassword, "path-token-not-for-logs" })
                {
                    Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{where} holds '{secret}'");
                }
            }
        }
        finally
        {
            await worker.StopAsync();
        }
    }

    [Fact]
    public async Task AWebhookAnswering500_IsRetriedWithBackOff_UntilItTakesTheAlert_AndMailGoesMeanwhile()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        receiver.FailFirst = 3;
        using var smtp = new SmtpListener();
        var options = new NotificationOptions
        {
            Webhooks = [new WebhookOptions { Url = receiver.Url.ToString(), Secret = Secret }],
            Email = new EmailOptions { SmtpHost = "127.0.0.1", Port = smtp.Port, Tls = "none", From = "backfill@example.com", To = ["oncall@example.com"], User = null, Password = null },
            Retry = new DeliveryRetryOptions { MaxAttempts = 5, BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1) },
        };
        using var http = new HttpClient(AlertTargets.Handler());
        using var hub = new AlertHub(Options.Create(options), AlertTargets.From(options, http, TimeProvider.System), TimeProvider.System, NullLogger<AlertHub>.Instance);
        await hub.StartAsync(CancellationToken.None);
        var now = TimeProvider.System.GetUtcNow();

        hub.Raise(Alert.CoolOff("demo", now.AddMinutes(1), "breaker opened in worker w1", now));
        await Poll.Eventually(() => Task.FromResult(receiver.Accepted.Count == 1), TimeSpan.FromSeconds(30), "the cool-off at the webhook");
        await hub.StopAsync(CancellationToken.None);

        Assert.Equal(4, receiver.Requests);
        Assert.Equal("platform.cooloff", receiver.Accepted[0].GetProperty("event").GetString());
        Assert.Equal((2L, 0L), (hub.Totals.Delivered, hub.Totals.Failed));
        Assert.Equal("[backfill] platform.cooloff: platform demo", Assert.Single(smtp.Received).Subject);
    }
}
