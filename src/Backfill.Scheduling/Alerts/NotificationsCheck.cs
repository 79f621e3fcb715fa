using Microsoft.Extensions.Configuration;
using MimeKit;

namespace Backfill.Scheduling.Alerts;

/// <summary>The <c>Notifications</c> section: every message names its key; none quotes a secret or a webhook's URL (it may hold a token).</summary>
public static class NotificationsCheck
{
    /// <summary>A shorter webhook secret could be guessed.</summary>
    public const int MinSecretLength = 16;

    public static IReadOnlyList<string> Validate(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Notifications");
        var unknown = Unknown(section, typeof(NotificationOptions)).ToList();
        if (unknown.Count > 0)
        {
            return unknown;
        }

        var options = new NotificationOptions();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            // The binder names the key: "Failed to convert configuration value at 'Notifications:Timeout' …".
            return [e.Message];
        }

        return Problems(options);
    }

    /// <summary>
    /// Keys under <paramref name="section"/> that no setting of <paramref name="type"/> takes, each by its path (the
    /// binder's own refusal names neither the key nor its section); a list of objects is walked item by item.
    /// </summary>
    private static IEnumerable<string> Unknown(IConfigurationSection section, Type type)
    {
        var settings = type.GetProperties().Where(p => p.CanWrite).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!settings.TryGetValue(child.Key, out var setting))
            {
                yield return $"{child.Path} is not a setting; {section.Path} takes {string.Join(", ", settings.Keys)}.";
                continue;
            }

            var inner = setting.PropertyType;
            var item = inner.IsGenericType && inner.GetGenericTypeDefinition() == typeof(List<>) ? inner.GetGenericArguments()[0] : null;
            var problems = item is not null && item != typeof(string)
                ? child.GetChildren().SelectMany(c => Unknown(c, item))
                : item is null && inner.IsClass && inner != typeof(string) ? Unknown(child, inner) : [];
            foreach (var problem in problems)
            {
                yield return problem;
            }
        }
    }

    public static IReadOnlyList<string> Problems(NotificationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        for (var i = 0; i < options.Webhooks.Count; i++)
        {
            var hook = options.Webhooks[i];
            var at = $"Notifications:Webhooks:{i}";
            Check(errors, Uri.TryCreate(hook.Url, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps),
                $"{at}:Url must be an absolute http or https URL (got {(string.IsNullOrWhiteSpace(hook.Url) ? "nothing" : "another value, not shown: it may hold a token")}).");
            // The length only: the secret never goes into a message.
            Check(errors, !string.IsNullOrEmpty(hook.Secret) && hook.Secret.Length >= MinSecretLength,
                $"{at}:Secret must be set, at least {MinSecretLength} characters (got {hook.Secret?.Length ?? 0}); every body is signed with it (X-Backfill-Signature), e.g. from 'openssl rand -hex 24'.");
            Events(errors, $"{at}:Events", hook.Events);
        }

        if (options.Email is { } email)
        {
            Check(errors, !string.IsNullOrWhiteSpace(email.SmtpHost), "Notifications:Email:SmtpHost is required (the SMTP server's host name).");
            Check(errors, email.Port is >= 1 and <= 65535, $"Notifications:Email:Port must be between 1 and 65535 (got {email.Port}).");
            Check(errors, EmailTarget.TlsModes.Contains(email.Tls, StringComparer.OrdinalIgnoreCase), $"Notifications:Email:Tls must be one of {string.Join(", ", EmailTarget.TlsModes)} (got '{email.Tls}').");
            Check(errors, Mailbox(email.From), $"Notifications:Email:From must be a mail address, e.g. backfill@example.com (got '{email.From}').");
            Check(errors, email.To.Count > 0, "Notifications:Email:To must list at least one mail address.");
            for (var i = 0; i < email.To.Count; i++)
            {
                Check(errors, Mailbox(email.To[i]), $"Notifications:Email:To:{i} must be a mail address (got '{email.To[i]}').");
            }

            Check(errors, string.IsNullOrEmpty(email.Password) || !string.IsNullOrEmpty(email.User), "Notifications:Email:Password is set without Notifications:Email:User; set both to authenticate, or neither.");
            Events(errors, "Notifications:Email:Events", email.Events);
        }

        Check(errors, options.DedupWindow >= TimeSpan.Zero && options.DedupWindow <= TimeSpan.FromDays(7), $"Notifications:DedupWindow must be between 00:00:00 and 7.00:00:00 (got {options.DedupWindow}).");
        Check(errors, options.SliceFailedBatch >= TimeSpan.Zero && options.SliceFailedBatch <= TimeSpan.FromHours(1), $"Notifications:SliceFailedBatch must be between 00:00:00 and 01:00:00 (got {options.SliceFailedBatch}).");
        Check(errors, options.QueueCapacity is >= 1 and <= 100_000, $"Notifications:QueueCapacity must be between 1 and 100000 (got {options.QueueCapacity}).");
        Check(errors, options.Timeout > TimeSpan.Zero && options.Timeout <= TimeSpan.FromMinutes(5), $"Notifications:Timeout must be positive and at most 00:05:00 (got {options.Timeout}).");
        var retry = options.Retry;
        Check(errors, retry.MaxAttempts is >= 1 and <= 20, $"Notifications:Retry:MaxAttempts must be between 1 and 20 (got {retry.MaxAttempts}).");
        Check(errors, retry.BaseDelay > TimeSpan.Zero && retry.BaseDelay <= retry.MaxDelay, $"Notifications:Retry:BaseDelay must be positive and at most Notifications:Retry:MaxDelay (got {retry.BaseDelay} and {retry.MaxDelay}).");
        Check(errors, retry.MaxDelay <= TimeSpan.FromHours(1), $"Notifications:Retry:MaxDelay must be at most 01:00:00 (got {retry.MaxDelay}).");
        return errors;
    }

    private static void Events(List<string> errors, string at, List<string> events)
    {
        for (var i = 0; i < events.Count; i++)
        {
            Check(errors, events[i] == AlertEvents.Every || AlertEvents.All.Contains(events[i], StringComparer.OrdinalIgnoreCase),
                $"{at}:{i} '{events[i]}' is not an event; use {string.Join(", ", AlertEvents.All)}, or * for all.");
        }
    }

    private static bool Mailbox(string? address) => !string.IsNullOrWhiteSpace(address) && MailboxAddress.TryParse(address, out var mailbox) && mailbox.Address.Contains('@', StringComparison.Ordinal);

    private static void Check(List<string> errors, bool ok, string message)
    {
        if (!ok)
        {
            errors.Add(message);
        }
    }
}
