using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Backfill.Scheduling.Alerts;

/// <summary>
/// Mails an alert (<see cref="AlertMail"/>) to every recipient through the configured SMTP server, one connection per
/// mail. A network failure, a timeout or a 4xx answer may pass and is retried; a 5xx answer, refused credentials or a
/// failed TLS handshake is the configuration's and is not.
/// </summary>
internal sealed class EmailTarget(EmailOptions options, TimeSpan timeout, TimeProvider time) : IAlertTarget
{
    public string Name { get; } = $"email Notifications:Email ({options.SmtpHost}:{options.Port} to {string.Join(", ", options.To)})";

    public bool Wants(string eventName) => AlertEvents.Wants(options.Events, eventName);

    public async Task<DeliveryOutcome> SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(options.From));
        message.To.AddRange(options.To.Select(MailboxAddress.Parse));
        message.Subject = AlertMail.Subject(alert);
        message.Headers.Add("X-Backfill-Event", alert.Event);
        message.Body = new TextPart("plain") { Text = AlertMail.Body(alert) };

        using var limit = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        using var client = new SmtpClient { Timeout = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds) };
        try
        {
            await client.ConnectAsync(options.SmtpHost, options.Port, Security(options.Tls), linked.Token);
            if (!string.IsNullOrEmpty(options.User))
            {
                await client.AuthenticateAsync(options.User, options.Password ?? "", linked.Token);
            }

            await client.SendAsync(message, linked.Token);
            await client.DisconnectAsync(quit: true, linked.Token);
            return DeliveryOutcome.Ok;
        }
        catch (AuthenticationException)
        {
            // The server's words may quote what was sent: ours name the setting only.
            return DeliveryOutcome.Refused("the SMTP server refused the credentials of Notifications:Email:User");
        }
        catch (SmtpCommandException e)
        {
            var reason = $"SMTP {(int)e.StatusCode}: {e.Message}";
            return (int)e.StatusCode >= 500 ? DeliveryOutcome.Refused(reason) : DeliveryOutcome.Retry(reason);
        }
        catch (SslHandshakeException)
        {
            return DeliveryOutcome.Refused($"the TLS handshake with {options.SmtpHost}:{options.Port} failed; check Notifications:Email:Tls and Port");
        }
        catch (Exception e) when (e is IOException or SocketException or ServiceNotConnectedException or ProtocolException)
        {
            return DeliveryOutcome.Retry(e.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryOutcome.Retry($"no answer within {timeout.TotalSeconds:0.###} s (Notifications:Timeout)");
        }
    }

    /// <summary>Notifications:Email:Tls as MailKit takes it; the configuration check refuses any other word.</summary>
    public static SecureSocketOptions Security(string tls) => tls.ToLowerInvariant() switch
    {
        "none" => SecureSocketOptions.None,
        "starttls" => SecureSocketOptions.StartTls,
        "tls" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.Auto,
    };

    /// <summary>The words <see cref="Security"/> takes.</summary>
    public static readonly string[] TlsModes = ["auto", "starttls", "tls", "none"];
}
