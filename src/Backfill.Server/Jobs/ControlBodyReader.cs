using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Backfill.Server.Api;

namespace Backfill.Server.Jobs;

/// <summary>Reads the small bodies of the job commands strictly (<see cref="StrictBody"/>) and checks what their members mean.</summary>
internal static class ControlBodyReader
{
    public const string RetryExample = """{"slice": "demo-20240501-20240508-1a2b3c/10001/20240503"}""";
    public const string SettingsExample = """{"releaseEvery": "00:10:00", "slicesPerRelease": 2}""";

    /// <summary>An empty body retries every failed slice.</summary>
    public static BodyReading<RetryRequest> ReadRetry(ReadOnlyMemory<byte> body)
    {
        var reading = StrictBody.Read<RetryRequest>(body, RetryExample, emptyIsObject: true);
        if (reading.Value is not { } request || request.Slice is null)
        {
            return reading;
        }

        return string.IsNullOrWhiteSpace(request.Slice)
            ? BodyReading<RetryRequest>.Invalid(new Dictionary<string, string[]> { ["slice"] = ["slice must be a slice id as 'GET /api/jobs/{id}/slices?state=failed' lists them (got \"{request.Slice}\")."] })
            : BodyReading<RetryRequest>.Read(request with { Slice = request.Slice.Trim() });
    }

    /// <summary>The settings with the cadence and priority in their canonical spelling.</summary>
    public static BodyReading<JobSettingsRequest> ReadSettings(ReadOnlyMemory<byte> body)
    {
        var reading = StrictBody.Read<JobSettingsRequest>(body, SettingsExample);
        if (reading.Value is not { } request)
        {
            return reading;
        }

        var errors = new MemberErrors();
        var releaseEvery = JobRequestReader.Cadence(request.ReleaseEvery, "releaseEvery", errors);
        var priority = JobRequestReader.Priority(request.Priority, errors);
        if (request is { ReleaseEvery: null, SlicesPerRelease: null, Priority: null })
        {
            errors.Add("settings", $"Give releaseEvery, slicesPerRelease, priority or several, e.g. {SettingsExample}.");
        }

        return errors.HasErrors
            ? BodyReading<JobSettingsRequest>.Invalid(errors.ToDictionary())
            : BodyReading<JobSettingsRequest>.Read(request with
            {
                ReleaseEvery = releaseEvery is { } every ? ReleaseCadence.Format(every) : null,
                Priority = priority is { } p ? JobPriorityNames.Name(p) : null,
            });
    }
}
