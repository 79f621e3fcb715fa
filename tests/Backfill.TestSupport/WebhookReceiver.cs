using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Backfill.Scheduling.Alerts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Backfill.Testing;

/// <summary>
/// A webhook receiver on Kestrel at 127.0.0.1 on a free port: it checks each request's <c>X-Backfill-Signature</c> by
/// computing the HMAC itself, keeps the bodies it accepted, and answers 500 to the first <see cref="FailFirst"/> requests.
/// </summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<JsonElement> _accepted = new();
    private readonly ConcurrentQueue<string> _rawBodies = new();
    private int _requests;

    private WebhookReceiver(WebApplication app, string secret)
    {
        _app = app;
        Secret = secret;
    }

    public string Secret { get; }

    public Uri Url { get; private set; } = null!;

    /// <summary>Requests answered 500 before any is taken.</summary>
    public int FailFirst { get; set; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests refused for a missing or wrong signature.</summary>
    public int BadSignatures { get; private set; }

    public IReadOnlyList<JsonElement> Accepted => [.. _accepted];

    public IReadOnlyList<string> RawBodies => [.. _rawBodies];

    public static async Task<WebhookReceiver> StartAsync(string secret)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, secret);
        app.MapPost("/hooks/{token}", receiver.ReceiveAsync);
        await app.StartAsync();
        receiver.Url = new Uri(new Uri(app.Urls.First()), "/hooks/path-token-not-for-logs");
        return receiver;
    }

    private async Task<IResult> ReceiveAsync(HttpRequest request)
    {
        var count = Interlocked.Increment(ref _requests);
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        if (count <= FailFirst)
        {
            return Results.StatusCode(500);
        }

        // Computed here, not with the product's code: what any receiver would do.
        using var hmac = new System.Security.Cryptography.HMACSHA256(Encoding.UTF8.GetBytes(Secret));
        var expected = "sha256=" + Convert.ToHexString(hmac.ComputeHash(body)).ToLowerInvariant();
        if (request.Headers[WebhookBody.SignatureHeader].ToString() != expected)
        {
            BadSignatures++;
            return Results.StatusCode(401);
        }

        _rawBodies.Enqueue(Encoding.UTF8.GetString(body));
        _accepted.Enqueue(JsonDocument.Parse(body).RootElement.Clone());
        return Results.NoContent();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
