using Backfill.Core.Jobs;
using LiteDB;

namespace Backfill.Storage;

/// <summary>Jobs, slices and their transitions.</summary>
public sealed class JobStore(BackfillDatabase db)
{
    /// <summary>Stores a new job with all its slices, atomically.</summary>
    public void Create(JobRecord job, IReadOnlyList<SliceRecord> slices, Transition created) => db.InTransaction(() =>
    {
        db.Jobs.Insert(job);
        db.Slices.InsertBulk(slices);
        db.InFlight.InsertBulk(slices.Where(IsInFlight).Select(InFlightOf));
        db.Totals.Upsert(JobTotalsDocument.Of(job.Id, slices));
        db.Events.Insert(TransitionDocument.Of(created));
        return 0;
    });

    public JobRecord? Job(string id) => db.Jobs.FindById(id);

    /// <summary>Every job, or those in <paramref name="state"/>, newest first.</summary>
    public IReadOnlyList<JobRecord> Jobs(JobState? state = null) =>
        (state is { } s ? db.Jobs.Find(j => j.State == s) : db.Jobs.FindAll())
            .OrderByDescending(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal).ToList();

    public IReadOnlyList<JobRecord> ActiveJobs() =>
        db.Jobs.Find(j => j.State == JobState.Running || j.State == JobState.Paused).ToList();

    public SliceRecord? Slice(string id) => db.Slices.FindById(id);

    public IReadOnlyList<SliceRecord> Slices(string jobId) =>
        OfJob(jobId).OrderBy(s => s.FirstDay).ThenBy(s => s.Shop, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Slices of job <paramref name="jobId"/> in <paramref name="state"/>, oldest day first. Read in day order from the
    /// job/state/day index and stopped at <paramref name="limit"/>: a release tick of a 3-year, 50-shop job reads its next
    /// few slices, not all 54,750 (R1; it read them all, 1.4 s per tick, holding every other job's release).
    /// </summary>
    public IReadOnlyList<SliceRecord> Slices(string jobId, SliceState state, int limit = int.MaxValue) =>
        db.Slices.Find(Query.StartsWith(BackfillDatabase.JobStateDayExpression, $"{jobId}|{state}|"), limit: limit)
            .Where(s => s.JobId == jobId && s.State == state)
            .OrderBy(s => s.FirstDay).ThenBy(s => s.Shop, StringComparer.Ordinal).ToList();

    /// <summary>The job's slices in <paramref name="state"/>, counted from the slices themselves (<see cref="Counts"/> reads the kept totals).</summary>
    public int Count(string jobId, SliceState state) =>
        db.Slices.Find(Query.StartsWith(BackfillDatabase.JobStateDayExpression, $"{jobId}|{state}|")).Count(s => s.JobId == jobId && s.State == state);

    public SliceCounts Counts(string jobId) => Totals(jobId).Slices;

    /// <summary>
    /// The job's slices by state and their orders: one document read however many slices the job has (a job's status,
    /// the list of jobs). A job stored before the store kept totals gets them counted once here.
    /// </summary>
    public JobTotals Totals(string jobId) =>
        (db.Totals.FindById(jobId) ?? db.InTransaction(() => TotalsInTransaction(jobId))).ToTotals();

    /// <summary>The totals of every job, by job id (the list of jobs: one scan of a small collection).</summary>
    public IReadOnlyDictionary<string, JobTotals> Totals(IEnumerable<JobRecord> jobs)
    {
        var wanted = jobs.Select(j => j.Id).ToHashSet(StringComparer.Ordinal);
        var kept = db.Totals.FindAll().Where(t => wanted.Contains(t.Id)).ToDictionary(t => t.Id, t => t.ToTotals(), StringComparer.Ordinal);
        foreach (var missing in wanted.Where(id => !kept.ContainsKey(id)))
        {
            kept[missing] = Totals(missing);
        }

        return kept;
    }

    /// <summary>Released or running slices of every job of <paramref name="platform"/> (the in-flight cap, R1; lane loads).</summary>
    public IReadOnlyList<SliceRecord> InFlightSlices(string platform) =>
        db.InFlight.Find(f => f.Platform == platform)
            .Select(f => db.Slices.FindById(f.Id))
            .Where(s => s is not null && IsInFlight(s))
            .Select(s => s!)
            .ToList();

    /// <summary>Released or running slices of every job.</summary>
    public IReadOnlyList<SliceRecord> AllInFlightSlices() =>
        db.InFlight.FindAll().ToList()
            .Select(f => db.Slices.FindById(f.Id))
            .Where(s => s is not null && IsInFlight(s))
            .Select(s => s!)
            .ToList();

    /// <summary>Saves slice changes and their transitions together.</summary>
    public void Save(IReadOnlyCollection<SliceRecord> slices, IEnumerable<Transition> transitions) => db.InTransaction(() =>
    {
        // The stored slice is what the totals counted: take it out, count the new one in.
        var totals = new Dictionary<string, JobTotalsDocument>(StringComparer.Ordinal);
        foreach (var slice in slices)
        {
            if (db.Slices.FindById(slice.Id) is not { } stored)
            {
                continue;
            }

            if (!totals.TryGetValue(stored.JobId, out var job))
            {
                job = TotalsInTransaction(stored.JobId);
                totals[stored.JobId] = job;
            }

            job.Add(stored, -1);
            if (slice.JobId != stored.JobId)
            {
                throw new InvalidOperationException($"Slice {slice.Id} cannot move from job {stored.JobId} to {slice.JobId}.");
            }

            job.Add(slice, +1);
            if (IsInFlight(slice) && !IsInFlight(stored))
            {
                db.InFlight.Upsert(InFlightOf(slice));
            }
            else if (!IsInFlight(slice) && IsInFlight(stored))
            {
                db.InFlight.Delete(slice.Id);
            }
        }

        db.Slices.Update(slices);
        db.Totals.Update(totals.Values);
        db.Events.InsertBulk(transitions.Select(TransitionDocument.Of));
        return 0;
    });

    public void Save(SliceRecord slice, Transition? transition = null) =>
        Save([slice], transition is null ? [] : [transition]);

    public void Save(JobRecord job, Transition? transition = null) => db.InTransaction(() =>
    {
        db.Jobs.Update(job);
        if (transition is not null)
        {
            db.Events.Insert(TransitionDocument.Of(transition));
        }

        return 0;
    });

    /// <summary>
    /// Every slice of a job, through the job/state/day index (its keys start with the job id): one index fewer to keep on
    /// every insert than an index of its own (issue 6, P3). LIKE treats '_' and '%' as wildcards, so the prefix
    /// may match a neighbour's slices too; the exact comparison keeps only the job's.
    /// </summary>
    private IEnumerable<SliceRecord> OfJob(string jobId) =>
        db.Slices.Find(Query.StartsWith(BackfillDatabase.JobStateDayExpression, $"{jobId}|")).Where(s => s.JobId == jobId);

    private static bool IsInFlight(SliceRecord slice) => slice.State is SliceState.Released or SliceState.Running;

    private static InFlightDocument InFlightOf(SliceRecord slice) => new() { Id = slice.Id, Platform = slice.Platform };

    private JobTotalsDocument TotalsInTransaction(string jobId)
    {
        if (db.Totals.FindById(jobId) is { } kept)
        {
            return kept;
        }

        var counted = JobTotalsDocument.Of(jobId, OfJob(jobId));
        db.Totals.Insert(counted);
        return counted;
    }

    /// <summary>The recorded transitions of a job or slice, in order.</summary>
    public IReadOnlyList<TransitionDocument> History(string subject) =>
        db.Events.Find(e => e.Subject == subject).OrderBy(e => e.Id).ToList();
}
