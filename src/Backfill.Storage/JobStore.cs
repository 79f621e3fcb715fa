using Backfill.Core.Jobs;
using LiteDB;

namespace Backfill.Storage;

/// <summary>Jobs, slices and their transitions.</summary>
public sealed partial class JobStore(BackfillDatabase db)
{
    public JobRecord? Job(string id) => db.Jobs.FindById(id);

    /// <summary>Every job, or those in <paramref name="state"/>, newest first.</summary>
    public IReadOnlyList<JobRecord> Jobs(JobState? state = null) =>
        (state is { } s ? db.Jobs.Find(j => j.State == s) : db.Jobs.FindAll())
            .OrderByDescending(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal).ToList();

    public IReadOnlyList<JobRecord> ActiveJobs() =>
        db.Jobs.Find(j => j.State == JobState.Running || j.State == JobState.Paused).ToList();

    public SliceRecord? Slice(string id) => db.Slices.FindById(id);

    /// <summary>
    /// Runs <paramref name="work"/> as one transaction: every write of this store it makes joins it, and reads in it see
    /// them; all are on disk when it returns, or none when it throws.
    /// </summary>
    public T InOneTransaction<T>(Func<T> work) => db.InTransaction(work);

    public IReadOnlyList<SliceRecord> Slices(string jobId) =>
        OfJob(jobId).OrderBy(s => s.FirstDay).ThenBy(s => s.Shop, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Slices of job <paramref name="jobId"/> in <paramref name="state"/>, oldest day first. Read in day order from the
    /// job/state/day index and stopped at <paramref name="limit"/>: a release tick of a 3-year, 50-shop job reads its next
    /// few slices, not all 54,750 (R1; it read them all, 1.4 s per tick, holding every other job's release).
    /// </summary>
    /// <remarks>The limit applies to the job's own slices: a limit on the index read could fill with another job's.</remarks>
    public IReadOnlyList<SliceRecord> Slices(string jobId, SliceState state, int limit = int.MaxValue) =>
        OfJob(jobId, state).Take(limit).OrderBy(s => s.FirstDay).ThenBy(s => s.Shop, StringComparer.Ordinal).ToList();

    /// <summary>The job's slices in <paramref name="state"/>, counted from the slices themselves (<see cref="Counts"/> reads the kept totals).</summary>
    public int Count(string jobId, SliceState state) => OfJob(jobId, state).Count();

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

    /// <summary>
    /// Changes the job as stored now and saves it, in one transaction; null when no such job is stored. For a change made
    /// well after the caller read the job (a release round's bookkeeping, after its produces): saving the copy read
    /// before would undo what others saved meanwhile, such as the job finishing.
    /// </summary>
    public JobRecord? Update(string jobId, Action<JobRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return db.InTransaction(() =>
        {
            if (db.Jobs.FindById(jobId) is not { } job)
            {
                return null;
            }

            change(job);
            db.Jobs.Update(job);
            return job;
        });
    }

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
    /// Deletes up to <paramref name="limit"/> documents of the finished job <paramref name="jobId"/>: its slices'
    /// transitions, then its slices (with their in-flight entries), in one transaction, so the writer is held for one
    /// bounded batch at a time. The job, its own transitions and its totals stay (its status and the list of jobs read
    /// them); the totals say since when the slices are being deleted (<paramref name="at"/>, from the first batch on) and,
    /// once a batch finds fewer than the limit, that all are. The job's orders in the sink stay. Returns how many
    /// documents were deleted: 0 for a job that is not finished (it ran again) or not stored.
    /// </summary>
    /// <remarks>
    /// Each kind is read with one index range query per batch and deleted by id: a query per slice for its transitions
    /// cost about 2 ms each inside the transaction, 1.5 s for a batch of 500 slices.
    /// </remarks>
    public int PruneSlices(string jobId, int limit, DateTimeOffset at) => db.InTransaction(() =>
    {
        if (db.Jobs.FindById(jobId) is not { IsFinished: true } job)
        {
            return 0;
        }

        var totals = TotalsInTransaction(jobId);
        var events = db.Events.Find(Query.Between(nameof(TransitionDocument.Subject), $"{jobId}/", $"{jobId}0"))
            .Where(e => IsSliceOf(e.Subject, job))
            .Take(limit)
            .Select(e => e.Id)
            .ToList();
        foreach (var id in events)
        {
            db.Events.Delete(id);
        }

        var slices = OfJob(jobId).Take(limit - events.Count).Select(s => s.Id).ToList();
        foreach (var id in slices)
        {
            db.InFlight.Delete(id);
            db.Slices.Delete(id);
        }

        var deleted = events.Count + slices.Count;
        totals.PrunedAt ??= at;
        totals.Pruned = deleted < limit;
        db.Totals.Update(totals);
        return deleted;
    });

    /// <summary>
    /// Whether a transition's subject is a slice of <paramref name="job"/>: <c>{job}/{shop}/{yyyyMMdd}</c> with one of its
    /// shops (<see cref="SliceRecord.MakeId"/>), not the job itself nor a job whose id goes on with '/'.
    /// </summary>
    private static bool IsSliceOf(string subject, JobRecord job)
    {
        if (!subject.StartsWith($"{job.Id}/", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = subject[(job.Id.Length + 1)..];
        var day = rest.LastIndexOf('/');
        return day > 0 && rest.Length - day - 1 == 8 && job.Shops.Contains(rest[..day], StringComparer.Ordinal);
    }

    /// <summary>
    /// Every slice of a job, through the job/state/day index (its keys start with the job id): one index fewer to keep on
    /// every insert than an index of its own (docs/performance.md, P3). Read lazily, and only the job's own are kept
    /// (<see cref="BackfillDatabase.SlicesByKey"/>).
    /// </summary>
    private IEnumerable<SliceRecord> OfJob(string jobId) =>
        db.SlicesByKey($"{jobId}|").Where(s => s.JobId == jobId);

    private IEnumerable<SliceRecord> OfJob(string jobId, SliceState state) =>
        db.SlicesByKey($"{jobId}|{state}|").Where(s => s.JobId == jobId && s.State == state);

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
