using Backfill.Core.Jobs;
using LiteDB;

namespace Backfill.Storage;

/// <summary>Storing a new job: its slices in batches, then the job, all or nothing.</summary>
public sealed partial class JobStore
{
    /// <summary>Slices written per transaction while a job is stored.</summary>
    public const int CreateBatch = 5_000;

    // One creation at a time in the process (the scheduler is the file's only writer): a plan found while none runs was
    // left by a crash or a failed clean-up, never by a creation under way.
    private static readonly Lock Creating = new();

    /// <summary>
    /// Stores a new job with its slices, all or nothing. The slices are read once and written <see cref="CreateBatch"/>
    /// per transaction, so neither the caller nor LiteDB holds them all and other writers take turns in between; the
    /// job itself is stored last, in one transaction with its totals and its first transition. Until then its slices
    /// belong to no job, so nothing releases, counts or lists them; a failure deletes them, and a crash leaves a plan
    /// (<see cref="PlanDocument"/>) whose slices the next creation deletes first.
    /// </summary>
    /// <exception cref="InvalidOperationException">A job of that id exists already.</exception>
    public void Create(JobRecord job, IEnumerable<SliceRecord> slices, Transition created)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(slices);
        lock (Creating)
        {
            DropAbandonedPlans();
            if (Job(job.Id) is not null)
            {
                throw new InvalidOperationException($"Job {job.Id} exists already.");
            }

            db.InTransaction(() => db.Plans.Insert(new PlanDocument { Id = job.Id }));
            try
            {
                var totals = new JobTotalsDocument { Id = job.Id };
                var inFlight = new List<InFlightDocument>();
                foreach (var batch in slices.Chunk(CreateBatch))
                {
                    db.InTransaction(() => db.Slices.InsertBulk(batch));
                    foreach (var slice in batch)
                    {
                        totals.Add(slice, +1);
                        if (IsInFlight(slice))
                        {
                            inFlight.Add(InFlightOf(slice));
                        }
                    }
                }

                db.InTransaction(() =>
                {
                    db.Jobs.Insert(job);
                    db.InFlight.InsertBulk(inFlight);
                    db.Totals.Upsert(totals);
                    db.Events.Insert(TransitionDocument.Of(created));
                    return db.Plans.Delete(job.Id);
                });
            }
            catch
            {
                DropPlan(job.Id);
                throw;
            }
        }
    }

    /// <summary>Deletes what the plans left in the file name: slices of jobs never stored.</summary>
    private void DropAbandonedPlans()
    {
        foreach (var plan in db.Plans.FindAll().ToList())
        {
            DropPlan(plan.Id);
        }
    }

    /// <summary>
    /// Deletes a plan's slices, a batch per transaction, then the plan. Best effort: when it fails the plan stays, and
    /// the next creation deletes what is left (the failure that brought us here is the one to report).
    /// </summary>
    private void DropPlan(string jobId)
    {
        try
        {
            if (Job(jobId) is not null)
            {
                // The job was stored after all: its slices are its own.
                db.InTransaction(() => db.Plans.Delete(jobId));
                return;
            }

            while (OfJob(jobId).Take(CreateBatch).Select(s => new BsonValue(s.Id)).ToList() is { Count: > 0 } ids)
            {
                db.InTransaction(() => ids.Count(id => db.Slices.Delete(id)));
            }

            db.InTransaction(() => db.Plans.Delete(jobId));
        }
        catch (LiteException)
        {
        }
        catch (IOException)
        {
        }
    }
}
