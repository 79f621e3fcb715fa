using System.Net.Http.Json;
using System.Text.Json;
using Backfill.Server.Jobs;

namespace Backfill.Testing;

/// <summary>
/// The scheduler's job routes read into the product's own types, for the tests whose subject is what a job did rather
/// than the JSON's shape (the API's own tests read the JSON). An answer other than a success fails the test with its
/// status and body.
/// </summary>
internal static class SchedulerApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Finished as the product decides it: the status carries when, only while the job is in a state it does not leave.</summary>
    public static bool IsFinished(this JobStatus status) => status.FinishedAt is not null;

    /// <summary><c>POST /api/jobs</c> with <paramref name="request"/> (any object serialized as the API reads it); the new job's id.</summary>
    public static async Task<string> CreateJobAsync(this HttpClient http, object request)
    {
        using var response = await http.PostAsJsonAsync("/api/jobs", request, Json);
        return (await ReadAsync<JobCreated>(response, "POST /api/jobs")).Job;
    }

    /// <summary><c>GET /api/jobs/{id}</c>.</summary>
    public static async Task<JobStatus> JobAsync(this HttpClient http, string job)
    {
        var path = $"/api/jobs/{Uri.EscapeDataString(job)}";
        using var response = await http.GetAsync(path);
        return await ReadAsync<JobStatus>(response, $"GET {path}");
    }

    /// <summary>Every slice of the job (of <paramref name="state"/>, or ever stuck), earliest day first, all pages followed.</summary>
    public static async Task<IReadOnlyList<SliceView>> SlicesAsync(this HttpClient http, string job, string? state = null, bool stuck = false)
    {
        var filter = (state is null ? "" : $"&state={state}") + (stuck ? "&stuck=true" : "");
        List<SliceView> slices = [];
        string? after = null;
        do
        {
            var path = $"/api/jobs/{Uri.EscapeDataString(job)}/slices?limit={SliceList.MaxLimit}{filter}" + (after is null ? "" : $"&after={Uri.EscapeDataString(after)}");
            using var response = await http.GetAsync(path);
            var page = await ReadAsync<SliceList>(response, $"GET {path}");
            slices.AddRange(page.Slices);
            after = page.Next;
        }
        while (after is not null);
        return slices;
    }

    /// <summary>The job's status once it is finished; fails the test when it is not within <paramref name="within"/>.</summary>
    public static async Task<JobStatus> FinishedJobAsync(this HttpClient http, string job, TimeSpan within)
    {
        JobStatus? status = null;
        await Poll.Eventually(async () => (status = await http.JobAsync(job)).IsFinished(), within, $"job {job} to finish");
        return status!;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string request)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{request}: {(int)response.StatusCode} {response.StatusCode} {body}");
        return JsonSerializer.Deserialize<T>(body, Json) ?? throw new InvalidOperationException($"{request}: a null body");
    }
}
