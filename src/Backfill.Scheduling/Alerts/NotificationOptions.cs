namespace Backfill.Scheduling.Alerts;

/// <summary>Where alerts go and how they are delivered (section <c>Notifications</c>); checked at start.</summary>
public sealed class NotificationOptions
{
    /// <summary>HTTP endpoints that receive each alert as signed JSON. Default none.</summary>
    public List<WebhookOptions> Webhooks { get; set; } = [];

    /// <summary>Mail through an SMTP server; null (the default): no mail.</summary>
    public EmailOptions? Email { get; set; }

    /// <summary>An alert whose key was sent within this span is not sent again (the same cool-off, stuck slice, expiring token). Default 6 hours.</summary>
    public TimeSpan DedupWindow { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Failed slices of a job are sent together, once per this span from the first. Default 1 minute.</summary>
    public TimeSpan SliceFailedBatch { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Alerts waiting per target; when full, the oldest is dropped with a warning. Default 1,000.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>Each delivery attempt's limit. Default 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of a delivery that failed for a reason that may pass (network, HTTP 5xx or 429, SMTP 4xx).</summary>
    public DeliveryRetryOptions Retry { get; set; } = new();

    /// <summary>True when at least one target is configured.</summary>
    public bool Any => Webhooks.Count > 0 || Email is not null;
}

/// <summary>A webhook (<c>Notifications:Webhooks:{i}</c>).</summary>
public sealed class WebhookOptions
{
    /// <summary>An absolute http or https URL; it may hold a token, so logs name only its scheme and host.</summary>
    public string Url { get; set; } = "";

    /// <summary>The events it receives; none listed, or <c>*</c>: all.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>The key of the <c>X-Backfill-Signature</c> HMAC-SHA256 of each body; a secret, never logged or sent. Unset: bodies go unsigned.</summary>
    public string? Secret { get; set; }
}

/// <summary>Mail (<c>Notifications:Email</c>): one plain-text mail per alert to every <see cref="To"/>.</summary>
public sealed class EmailOptions
{
    public string SmtpHost { get; set; } = "";

    /// <summary>Default 587 (submission).</summary>
    public int Port { get; set; } = 587;

    /// <summary>
    /// <c>auto</c> (the default: TLS on connect on port 465, STARTTLS elsewhere when the server offers it), <c>starttls</c>
    /// (required), <c>tls</c> (on connect), or <c>none</c>.
    /// </summary>
    public string Tls { get; set; } = "auto";

    /// <summary>Set to authenticate; unset: no authentication.</summary>
    public string? User { get; set; }

    /// <summary>A secret, never logged or sent anywhere but to the SMTP server.</summary>
    public string? Password { get; set; }

    public string From { get; set; } = "";

    public List<string> To { get; set; } = [];

    /// <summary>The events mailed; none listed, or <c>*</c>: all.</summary>
    public List<string> Events { get; set; } = [];
}

/// <summary>Retries of one delivery (<c>Notifications:Retry</c>): attempt n (0 for the first retry) waits <c>BaseDelay · 2ⁿ</c>, at most <c>MaxDelay</c>.</summary>
public sealed class DeliveryRetryOptions
{
    /// <summary>Attempts in all, the first included, 1 to 20. Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Default 1 second.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Default 1 minute; a longer <c>Retry-After</c> is cut to it.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(1);
}
