using System.Security.Cryptography;
using Backfill.Core.Jobs;
using Backfill.Core.Slicing;
using Backfill.Storage;
using Microsoft.Extensions.Options;

namespace Backfill.Scheduling;

/// <summary>Turns a request into a stored job whose slices all wait, Pending, in LiteDB (R1).</summary>
public sealed class JobPlanner(JobStore store, ReleaseTriggers triggers, IOptions<BackfillOptions> options, TimeProvider time)
{
    // One creation at a time, so two overlapping requests cannot both pass the overlap check.
    private readonly Lock _creating = new();

    /// <exception cref="InvalidRangeException">A reversed or empty range, no shops, or a bad time zone.</exception>
    /// <exception cref="JobOverlapException">An active job covers one of the shops on one of the days, and the request does not allow it.</exception>
    public async Task<(JobRecord Job, IReadOnlyList<SliceRecord> Slices)> CreateAsync(BackfillRequest request, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var shops = request.Shops.Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (shops.Count == 0)
        {
            throw new InvalidRangeException("At least one shop is required (--shop ID).");
        }

        var releaseEvery = request.ReleaseEvery ?? o.ReleaseEvery;
        if (releaseEvery <= TimeSpan.Zero)
        {
            throw new InvalidRangeException($"--release-every must be positive (got {releaseEvery}).");
        }

        var timeZone = request.TimeZone ?? o.TimeZone;
        var zone = DayClock.Zone(timeZone);
        var windows = Slicer.Slice(request.From, request.To, zone, o.SliceDays);
        var now = time.GetUtcNow();
        var job = new JobRecord
        {
            Id = request.JobId ?? $"{request.Platform}-{request.From:yyyyMMdd}-{request.To:yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}",
            Platform = request.Platform,
            Shops = shops,
            FirstDay = request.From,
            EndDay = request.To,
            TimeZone = timeZone,
            SliceDays = o.SliceDays,
            ReleaseEvery = releaseEvery,
            SlicesPerRelease = request.SlicesPerRelease ?? o.SlicesPerRelease,
            State = JobState.Running,
            CreatedAt = now,
            Source = request.Source,
        };
        var slices = windows
            .SelectMany(w => shops.Select(shop => new SliceRecord
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
            }))
            .ToList();
        lock (_creating)
        {
            if (!request.AllowOverlap && OverlapRule.Find(request.Platform, shops, request.From, request.To, store.ActiveJobs()) is { } overlap)
            {
                throw new JobOverlapException(overlap);
            }

            var reason = $"created by {request.Source}: {slices.Count} slices{(request.AllowOverlap ? " (overlap allowed)" : "")}";
            store.Create(job, slices, new Transition(job.Id, "", nameof(JobState.Running), now, reason));
        }

        await triggers.ScheduleAsync(job, cancellationToken);
        return (job, slices);
    }
}
