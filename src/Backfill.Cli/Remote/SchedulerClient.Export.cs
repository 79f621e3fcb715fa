using System.Net;

namespace Backfill.Cli.Remote;

internal sealed partial class SchedulerClient
{
    /// <summary>
    /// Streams the export of <paramref name="job"/>'s <paramref name="data"/> into the stream <paramref name="open"/>
    /// gives, opened only once the scheduler answered 200 (a refused export leaves no file). Returns the lines written,
    /// or null when no scheduler answers at this address.
    /// </summary>
    /// <exception cref="UsageException">No such job, or a dataset the job did not pull (the scheduler's words).</exception>
    public async Task<long?> ExportAsync(string job, string data, Func<Stream> open, CancellationToken cancellationToken)
    {
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Get, $"api/jobs/{Uri.EscapeDataString(job)}/export?data={Uri.EscapeDataString(data)}"));
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
        {
            return null;
        }

        using (response)
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                var body = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
                throw response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound
                    ? new UsageException(Problem(body) ?? $"the scheduler refused the export ({(int)response.StatusCode}).")
                    : Refused(response.StatusCode, body);
            }

            await using var content = await response.Content.ReadAsStreamAsync(cancellationToken);
            await using var output = open();
            var buffer = new byte[81920];
            long lines = 0;
            int read;
            while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
            {
                lines += buffer.AsSpan(0, read).Count((byte)'\n');
                await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            return lines;
        }
    }
}
