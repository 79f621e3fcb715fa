using System.Net.Http.Headers;

namespace Backfill.Scheduling.Alerts;

/// <summary>
/// Posts an alert's <see cref="WebhookBody"/> to a webhook, signed with its secret. A 2xx answer delivers it; 408, 429
/// and 5xx, an unanswered or broken connection may pass and are retried; any other answer (a 4xx, a redirect, which
/// would turn the POST into a GET) is the receiver's refusal and is not.
/// </summary>
internal sealed class WebhookTarget(int index, WebhookOptions options, HttpClient http, TimeSpan timeout, TimeProvider time) : IAlertTarget
{
    public string Name { get; } = $"webhook Notifications:Webhooks:{index} ({Where(options.Url)})";

    public bool Wants(string eventName) => AlertEvents.Wants(options.Events, eventName);

    public async Task<DeliveryOutcome> SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        var body = WebhookBody.Of(alert);
        using var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("X-Backfill-Event", alert.Event);
        if (!string.IsNullOrEmpty(options.Secret))
        {
            request.Headers.Add(WebhookBody.SignatureHeader, WebhookBody.Signature(options.Secret, body));
        }

        using var limit = new CancellationTokenSource(timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, cancellationToken);
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var code = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return DeliveryOutcome.Ok;
            }

            var status = $"HTTP {code} {response.ReasonPhrase}".TrimEnd();
            return code is 408 or 429 || code >= 500
                ? DeliveryOutcome.Retry(status, RetryAfter(response))
                : DeliveryOutcome.Refused(code is >= 300 and < 400 ? $"{status}: the webhook redirects; configure the URL it redirects to" : status);
        }
        catch (HttpRequestException e)
        {
            // Its message names the host and port at most, never the URL's path or query.
            return DeliveryOutcome.Retry(e.HttpRequestError == HttpRequestError.Unknown ? e.Message : $"{e.HttpRequestError}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return DeliveryOutcome.Retry($"no answer within {timeout.TotalSeconds:0.###} s (Notifications:Timeout)");
        }
    }

    /// <summary>A URL as logs may show it: scheme, host and port; its path and query may hold a token.</summary>
    public static string Where(string url) => Uri.TryCreate(url, UriKind.Absolute, out var uri)
        ? $"{uri.Scheme}://{uri.Host}{(uri.IsDefaultPort ? "" : $":{uri.Port}")}"
        : "not a URL";

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow(),
        _ => null,
    };
}
