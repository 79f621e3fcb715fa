using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Backfill.Server.Api;

namespace Backfill.Server.Jobs;

/// <summary>
/// What a <c>POST /api/jobs</c> body says: a <see cref="JobAsk"/>, or in plain words what is wrong with it. The body is read
/// strictly as a <see cref="CreateJobRequest"/>; what its members mean (a known platform, a cadence, a priority, datasets, a
/// range given one way) is checked here.
/// </summary>
internal static class JobRequestReader
{
    public const string Example = """{"platform": "demo", "shops": ["10001"], "from": "2024-05-01", "to": "2024-05-08"}""";

    public static BodyReading<JobAsk> Read(ReadOnlyMemory<byte> body, IReadOnlyCollection<string> platforms)
    {
        var reading = StrictBody.Read<CreateJobRequest>(body, Example, where: "of a job request");
        return reading.Value is { } request ? Ask(request, platforms) : reading.Failed<JobAsk>();
    }

    private static BodyReading<JobAsk> Ask(CreateJobRequest request, IReadOnlyCollection<string> platforms)
    {
        var errors = new MemberErrors();
        var platform = Platform(request.Platform, platforms, errors);
        var releaseEvery = Cadence(request.ReleaseEvery, "releaseEvery", errors);
        var priority = Priority(request.Priority, errors);
        var data = Data(request.Data, errors);
        var timeField = TimeField(request.TimeField, errors);

        var hasRange = request.From is not null || request.To is not null;
        var hasDays = request.Days is not null;
        if (hasRange && hasDays)
        {
            errors.Add("range", "Give either from and to, or days, not both.");
        }
        else if (!hasRange && !hasDays)
        {
            errors.Add("range", "Give either from and to (YYYY-MM-DD, to exclusive), or days (the N whole days before today).");
        }
        else if (hasRange && (request.From is null || request.To is null))
        {
            errors.Add(request.From is null ? "from" : "to", "from and to go together.");
        }

        return errors.HasErrors
            ? BodyReading<JobAsk>.Invalid(errors.ToDictionary())
            : BodyReading<JobAsk>.Read(new JobAsk(
                platform!, request.Shops, request.From, request.To, request.Days, releaseEvery, request.SlicesPerRelease, request.DryRun ?? false, request.AllowOverlap ?? false)
            {
                Data = data,
                TimeField = timeField,
                Priority = priority ?? JobPriority.Normal,
            });
    }

    private static string? Platform(string name, IReadOnlyCollection<string> platforms, MemberErrors errors)
    {
        var known = platforms.Count == 0 ? "(none)" : string.Join(", ", platforms);
        var match = platforms.FirstOrDefault(p => string.Equals(p, name.Trim(), StringComparison.OrdinalIgnoreCase));
        if (match is null)
        {
            errors.Add("platform", string.IsNullOrWhiteSpace(name)
                ? $"platform is required: the name of a platform configured under Platforms: (configured: {known})."
                : $"Unknown platform '{name.Trim()}'. Configured platforms: {known}.");
        }

        return match;
    }

    /// <summary>A cadence member: <c>"HH:MM:SS"</c> or <c>"auto"</c> (<see cref="ReleaseCadence"/>); also read by the settings body.</summary>
    internal static TimeSpan? Cadence(string? value, string member, MemberErrors errors)
    {
        if (value is null)
        {
            return null;
        }

        if (ReleaseCadence.TryParse(value, out var every, out _))
        {
            return every;
        }

        errors.Add(member, $"{member} must be \"auto\" or a positive time span \"HH:MM:SS\", e.g. \"00:05:00\" (got \"{value}\").");
        return null;
    }

    /// <summary>A priority member: <c>"high"</c>, <c>"normal"</c> or <c>"low"</c>; also read by the settings body.</summary>
    internal static JobPriority? Priority(string? value, MemberErrors errors)
    {
        if (value is null)
        {
            return null;
        }

        if (JobPriorityNames.TryParse(value, out var priority))
        {
            return priority;
        }

        errors.Add("priority", $"priority must be {JobPriorityNames.Expected} (got \"{value}\").");
        return null;
    }

    /// <summary><c>"data"</c>: dataset names; orders when absent.</summary>
    private static Datasets Data(IReadOnlyList<string>? names, MemberErrors errors)
    {
        if (names is null)
        {
            return DatasetNames.Default;
        }

        try
        {
            return DatasetNames.Parse(names);
        }
        catch (FormatException e)
        {
            errors.Add("data", e.Message);
            return DatasetNames.Default;
        }
    }

    /// <summary><c>"timeField"</c>: <c>create_time</c> or <c>update_time</c>; the platform's configured one when absent.</summary>
    private static string? TimeField(string? value, MemberErrors errors)
    {
        if (value is null)
        {
            return null;
        }

        var field = value.Trim();
        if (TimeFields.Problem(field) is { } problem)
        {
            errors.Add("timeField", problem);
            return null;
        }

        return field;
    }
}
