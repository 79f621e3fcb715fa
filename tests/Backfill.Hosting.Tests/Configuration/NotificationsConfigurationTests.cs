using Microsoft.Extensions.Configuration;

namespace Backfill.Hosting.Tests.Configuration;

/// <summary>The <c>Notifications</c> section is checked at start: each message names the key, none quotes a secret or a webhook's URL.</summary>
public sealed class NotificationsConfigurationTests
{
    private const string Secret = "whsec-0123456789abcdef";

    private static readonly Dictionary<string, string?> Valid = new()
    {
        ["Notifications:Webhooks:0:Url"] = "https://hooks.example.com/services/T0/B0/tokenpart",
        ["Notifications:Webhooks:0:Secret"] = Secret,
        ["Notifications:Webhooks:0:Events:0"] = "job.failed",
        ["Notifications:Webhooks:0:Events:1"] = "slice.failed",
        ["Notifications:Email:SmtpHost"] = "smtp.example.com",
        ["Notifications:Email:Port"] = "587",
        ["Notifications:Email:Tls"] = "starttls",
        ["Notifications:Email:User"] = "backfill",
        ["Notifications:Email:Password"] = "smtp-password-never-shown",
        ["Notifications:Email:From"] = "Backfill <backfill@example.com>",
        ["Notifications:Email:To:0"] = "oncall@example.com",
        ["Notifications:Email:Events:0"] = "*",
    };

    [Fact]
    public void Validate_AWebhookAndMail_AsDocumented_AreFine() => Assert.Empty(Validate());

    [Fact]
    public void Validate_NoNotificationsAtAll_IsFine() => Assert.Empty(Scheduling.Alerts.NotificationsCheck.Validate(new ConfigurationBuilder().Build()));

    [Fact]
    public void Validate_AnUnknownEvent_NamesTheKeyAndTheEvents()
    {
        var error = Assert.Single(Validate(("Notifications:Webhooks:0:Events:1", "slice.falied")));

        Assert.StartsWith("Notifications:Webhooks:0:Events:1 'slice.falied' is not an event; use job.succeeded, job.failed, slice.failed, slice.stuck, platform.cooloff, platform.quota_spent, shop.token_expiring, shop.needs_authorization, worker.commit_failures, or * for all.", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hooks.example.com/services/T0/B0/tokenpart")]
    [InlineData("ftp://hooks.example.com/tokenpart")]
    public void Validate_AWebhookUrlThatIsNotHttp_NamesTheKey_WithoutQuotingIt(string url)
    {
        var error = Assert.Single(Validate(("Notifications:Webhooks:0:Url", url)));

        Assert.StartsWith("Notifications:Webhooks:0:Url must be an absolute http or https URL", error, StringComparison.Ordinal);
        Assert.DoesNotContain("tokenpart", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("short")]
    public void Validate_AWebhookWithoutALongSecret_NamesTheKey_WithoutQuotingIt(string? secret)
    {
        var error = Assert.Single(Validate(("Notifications:Webhooks:0:Secret", secret)));

        Assert.StartsWith("Notifications:Webhooks:0:Secret must be set, at least 16 characters", error, StringComparison.Ordinal);
        Assert.DoesNotContain("short", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MailWithoutFromOrTo_OrWithABadAddress_NamesEachKey()
    {
        var errors = Validate(("Notifications:Email:From", ""), ("Notifications:Email:To:1", "not-an-address"));

        Assert.Equal(
        [
            "Notifications:Email:From must be a mail address, e.g. backfill@example.com (got '').",
            "Notifications:Email:To:1 must be a mail address (got 'not-an-address').",
        ], errors);
    }

    [Fact]
    public void Validate_MailWithNoRecipient_SaysToListOne() =>
        Assert.Equal("Notifications:Email:To must list at least one mail address.", Assert.Single(Validate(("Notifications:Email:To:0", null))));

    [Fact]
    public void Validate_MailWithoutHost_ABadPortOrTlsMode_OrAPasswordWithoutUser_NamesEachKey_NeverThePassword()
    {
        var errors = Validate(("Notifications:Email:SmtpHost", ""), ("Notifications:Email:Port", "70000"), ("Notifications:Email:Tls", "ssl3"), ("Notifications:Email:User", null));

        Assert.Equal(
        [
            "Notifications:Email:SmtpHost is required (the SMTP server's host name).",
            "Notifications:Email:Port must be between 1 and 65535 (got 70000).",
            "Notifications:Email:Tls must be one of auto, starttls, tls, none (got 'ssl3').",
            "Notifications:Email:Password is set without Notifications:Email:User; set both to authenticate, or neither.",
        ], errors);
        Assert.All(errors, e => Assert.DoesNotContain("smtp-password-never-shown", e, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_AnUnknownMember_OrAValueThatIsNoTimeSpan_NamesTheKey()
    {
        Assert.Equal("Notifications:Webhooks:0:Secrett is not a setting; Notifications:Webhooks:0 takes Url, Events, Secret.", Assert.Single(Validate(("Notifications:Webhooks:0:Secrett", "x"))));
        Assert.Equal("Notifications:Email:Smtp is not a setting; Notifications:Email takes SmtpHost, Port, Tls, User, Password, From, To, Events.", Assert.Single(Validate(("Notifications:Email:Smtp", "x"))));
        Assert.StartsWith("Notifications:Retry:Attempts is not a setting; Notifications:Retry takes MaxAttempts", Assert.Single(Validate(("Notifications:Retry:Attempts", "3"))), StringComparison.Ordinal);
        Assert.Contains("Notifications:SliceFailedBatch", Assert.Single(Validate(("Notifications:SliceFailedBatch", "a minute"))), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DeliveryLimitsOutOfRange_NameTheirKeys()
    {
        var errors = Validate(("Notifications:Retry:MaxAttempts", "0"), ("Notifications:Retry:BaseDelay", "00:02:00"), ("Notifications:QueueCapacity", "0"), ("Notifications:SliceFailedBatch", "02:00:00"));

        Assert.Equal(
        [
            "Notifications:SliceFailedBatch must be between 00:00:00 and 01:00:00 (got 02:00:00).",
            "Notifications:QueueCapacity must be between 1 and 100000 (got 0).",
            "Notifications:Retry:MaxAttempts must be between 1 and 20 (got 0).",
            "Notifications:Retry:BaseDelay must be positive and at most Notifications:Retry:MaxDelay (got 00:02:00 and 00:01:00).",
        ], errors);
    }

    private static IReadOnlyList<string> Validate(params (string Key, string? Value)[] changes)
    {
        var settings = new Dictionary<string, string?>(Valid);
        foreach (var (key, value) in changes)
        {
            // Null: the key is not there at all.
            if (value is null)
            {
                settings.Remove(key);
            }
            else
            {
                settings[key] = value;
            }
        }

        return ConfigurationCheck.Validate(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    }
}
