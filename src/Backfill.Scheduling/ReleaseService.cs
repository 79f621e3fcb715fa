using Backfill.Core.Jobs;
using Backfill.Core.Release;
using Backfill.Messaging.Clients;
using Backfill.Messaging.Contracts;
using Backfill.Storage;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Backfill.Scheduling;

/// <summary>
/// Moves the next batch of a job's slices from LiteDB to the action topic, as <see cref="ReleasePolicy"/> allows.
/// A slice is marked Released before its first step is produced, so its progress can never arrive first; a
/// failed produce puts it back to Pending.
/// </summary>
public sealed partial class ReleaseService(
    JobStore store,
    IProducer<string, byte[]> producer,
    KafkaConnection connection,
    IOptions<BackfillOptions> options,
    TimeProvider time,
    ILogger<ReleaseService> logger)
{
    // One release at a time in this process, so two jobs of one platform cannot both fill the same room.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    /// <summary>Releases what is due for <paramref name="jobId"/>; returns how many slices went out.</summary>
    public async Task<int> ReleaseAsync(string jobId, CancellationToken cancellationToken)
    {
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var job = store.Job(jobId);
            if (job is null)
            {
                return 0;
            }

            var now = time.GetUtcNow();
            var limits = new ReleaseLimits(store.Count(jobId, SliceState.Pending), store.InFlight(job.Platform), options.Value.MaxInFlightPerPlatform);
            var decision = ReleasePolicy.Decide(job, limits, now);
            if (decision.Count == 0)
            {
                Log.Held(logger, jobId, decision.Reason);
                return 0;
            }

            var released = 0;
            foreach (var slice in store.Slices(jobId, SliceState.Pending, decision.Count))
            {
                slice.Attempt++;
                slice.Step = -1;
                slice.Cursor = null;
                slice.Error = null;
                store.Save(slice, slice.MoveTo(SliceState.Released, now, $"released (attempt {slice.Attempt})"));
                try
                {
                    var action = new ActionMessage
                    {
                        Job = job.Id,
                        Slice = slice.Id,
                        Attempt = slice.Attempt,
                        Step = 0,
                        Platform = job.Platform,
                        Shop = slice.Shop,
                        From = slice.From,
                        To = slice.To,
                        Lane = ActionMessage.LaneOf(job.Platform, slice.Shop),
                    };
                    await producer.ProduceAsync(connection.Topics.Actions, new Message<string, byte[]> { Key = action.Lane, Value = MessageCodec.Encode(action) }, cancellationToken);
                    released++;
                }
                catch (Exception e) when (e is KafkaException or OperationCanceledException)
                {
                    slice.Attempt--;
                    store.Save(slice, slice.MoveTo(SliceState.Pending, time.GetUtcNow(), $"release failed: {e.Message}"));
                    Log.ReleaseFailed(logger, slice.Id, e.Message);
                    throw;
                }
            }

            job.LastReleaseAt = now;
            store.Save(job);
            Log.Released(logger, jobId, released, decision.Count);
            return released;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Job {Job}: nothing released ({Reason})")]
        public static partial void Held(ILogger logger, string job, string reason);

        [LoggerMessage(2, LogLevel.Information, "Job {Job}: released {Released} of {Planned} slices")]
        public static partial void Released(ILogger logger, string job, int released, int planned);

        [LoggerMessage(3, LogLevel.Error, "Release of slice {Slice} failed; back to Pending: {Error}")]
        public static partial void ReleaseFailed(ILogger logger, string slice, string error);
    }
}
