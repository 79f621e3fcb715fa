using System.Security.Cryptography;
using Backfill.Core.Data;
using Backfill.Core.Jobs;
using Backfill.Core.Slicing;
using Backfill.Storage;
using Microsoft.Extensions.Options;

namespace Backfill.Scheduling;

/// <summary>Turns a request into a stored job whose slices all wait, Pending, in LiteDB (R1).</summary>
public sealed class JobPlanner(JobStore store, ReleaseTriggers triggers, IShopDirectory shops, IOptions<BackfillOptions> options, TimeProvider time)
{
    // One creation at a time, so two overlapping requests cannot both pass the overlap check.
    private readonly Lock _creating = new();

    /// <summary>
    /// Checks the request (<see cref="JobShape"/>: its shops, its range and its size, before any slice is built), then
    /// stores the job and its slices in one transaction: the slices are built as they are written, never all held at
    /// once, and a failure or a crash part way leaves no job and no slice behind.
    /// </summary>
    /// <returns>The job and how many slices it has.</returns>
    /// <exception cref="InvalidRangeException">A reversed, empty or unsupported range, no shops, or a bad time zone.</exception>
    /// <exception cref="InvalidJobRequestException">A shop the platform does not know, more slices than <c>Backfill:MaxSlicesPerJob</c>, no dataset or an unknown time field.</exception>
    /// <exception cref="JobOverlapException">An active job covers one of the shops on one of the days, and the request does not allow it.</exception>
    public async Task<(JobRecord Job, int Slices)> CreateAsync(BackfillRequest request, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (request.Data == Datasets.None || (request.Data & ~(Datasets.Orders | Datasets.Finance | Datasets.Returns)) != 0)
        {
            throw new InvalidJobRequestException("data", $"A job pulls at least one dataset of {string.Join(", ", DatasetNames.All.Select(DatasetNames.Name))} (got '{request.Data}').");
        }

        if (request.TimeField is not null && TimeFields.Problem(request.TimeField) is { } field)
        {
            throw new InvalidJobRequestException("timeField", field);
        }

        var shape = JobShape.Of(request, o, shops);
        var releaseEvery = request.ReleaseEvery ?? o.Cadence;
        if (releaseEvery < TimeSpan.Zero)
        {
            throw new InvalidRangeException($"--release-every must be positive or auto (got {releaseEvery}).");
        }

        var timeZone = request.TimeZone ?? o.TimeZone;
        var windows = Slicer.Slice(request.From, request.To, DayClock.Zone(timeZone), o.SliceDays);
        var now = time.GetUtcNow();
        var job = new JobRecord
        {
            Id = request.JobId ?? $"{request.Platform}-{request.From:yyyyMMdd}-{request.To:yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}",
            Platform = request.Platform,
            Shops = [.. shape.Shops],
            FirstDay = request.From,
            EndDay = request.To,
            TimeZone = timeZone,
            SliceDays = o.SliceDays,
            ReleaseEvery = releaseEvery,
            SlicesPerRelease = request.SlicesPerRelease ?? o.SlicesPerRelease,
            Priority = request.Priority,
            State = JobState.Running,
            CreatedAt = now,
            Source = request.Source,
            Data = request.Data,
            TimeField = request.TimeField,
        };
        var slices = windows.SelectMany(w => shape.Shops.Select(shop => new SliceRecord
        {
            Id = SliceRecord.MakeId(job.Id, shop, w.FirstDay),
            JobId = job.Id,
            Platform = job.Platform,
            Shop = shop,
            FirstDay = w.FirstDay,
            EndDay = w.EndDay,
            From = w.From,
            To = w.To,
            State = SliceState.Pending,
            UpdatedAt = now,
        }));
        lock (_creating)
        {
            if (!request.AllowOverlap && OverlapRule.Find(request.Platform, shape.Shops, request.From, request.To, store.ActiveJobs(), request.Data) is { } overlap)
            {
                throw new JobOverlapException(overlap);
            }

            var reason = $"created by {request.Source}: {shape.Slices} slices{(request.AllowOverlap ? " (overlap allowed)" : "")}";
            store.Create(job, slices, new Transition(job.Id, "", nameof(JobState.Running), now, reason));
        }

        await triggers.ScheduleAsync(job, cancellationToken);
        return (job, (int)shape.Slices);
    }
}
