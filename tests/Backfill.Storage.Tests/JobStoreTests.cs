using Backfill.Core.Jobs;

namespace Backfill.Storage.Tests;

public sealed class JobStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2024, 6, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDatabase _temp = new();

    private JobStore Store => new(_temp.Db);

    private JobRecord CreateJob(string id, string platform = "shopee", int days = 3, params string[] shops)
    {
        shops = shops.Length == 0 ? ["1", "2"] : shops;
        var job = new JobRecord
        {
            Id = id, Platform = platform, Shops = [.. shops], FirstDay = new DateOnly(2024, 5, 1), EndDay = new DateOnly(2024, 5, 1).AddDays(days),
            ReleaseEvery = TimeSpan.FromMinutes(5), State = JobState.Running, CreatedAt = Now,
        };
        var slices = shops.SelectMany(shop => Enumerable.Range(0, days).Select(d =>
        {
            var day = job.FirstDay.AddDays(d);
            return new SliceRecord
            {
                Id = SliceRecord.MakeId(id, shop, day), JobId = id, Platform = platform, Shop = shop, FirstDay = day, EndDay = day.AddDays(1),
                From = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)), To = new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.FromHours(8)),
            };
        })).ToList();
        Store.Create(job, slices, new Transition(id, "", "Running", Now, "created"));
        return job;
    }

    [Fact]
    public void Create_StoresJobAndEverySliceAsPending()
    {
        CreateJob("j1");

        Assert.Equal(6, Store.Count("j1", SliceState.Pending));
        Assert.Equal(new SliceCounts(6, 0, 0, 0, 0, 0), Store.Counts("j1"));
        Assert.Equal(["1", "2"], Store.Job("j1")!.Shops);
    }

    [Fact]
    public void Update_ChangesTheJobAsStoredNow_KeepingWhatWasSavedSinceTheCallerReadIt()
    {
        var read = CreateJob("j1");
        var finished = Store.Job("j1")!;
        Store.Save(finished, finished.MoveTo(JobState.Succeeded, Now.AddMinutes(1), "every slice is finished"));

        var updated = Store.Update(read.Id, job => job.PeriodReleased = 3);

        Assert.Equal((JobState.Succeeded, 3), (updated!.State, updated.PeriodReleased));
        Assert.Equal((JobState.Succeeded, 3), (Store.Job("j1")!.State, Store.Job("j1")!.PeriodReleased));
        Assert.Null(Store.Update("nope", job => job.PeriodReleased = 1));
    }

    [Fact]
    public void AJobsBoundsOnTheDataTopics_AreKeptWithIt()
    {
        var read = CreateJob("j1");
        var finished = Now.AddHours(1);
        Store.Update(read.Id, job =>
        {
            job.RecordsFrom = [new Core.Data.TopicOffset { Topic = "orders", Partition = 2, Offset = 7 }];
            job.RecordsTo = [new Core.Data.TopicOffset { Topic = "orders", Partition = 2, Offset = 70 }];
            job.RecordsToAt = finished;
        });

        _temp.Reopen();
        var stored = Store.Job("j1")!;

        Assert.Equal(("orders", 2, 7L), (stored.RecordsFrom![0].Topic, stored.RecordsFrom[0].Partition, stored.RecordsFrom[0].Offset));
        Assert.Equal(70, Assert.Single(stored.RecordsTo!).Offset);
        Assert.Equal(finished, stored.RecordsToAt);
    }

    [Fact]
    public void Open_FileFromBeforeVersion4_AJobReleasedWithoutBounds_CountsFromEachPartitionsBeginning_OthersUnchanged()
    {
        CreateJob("released");
        CreateJob("waiting");
        CreateJob("bounded");
        Store.Update("released", job => job.LastReleaseAt = Now);
        Store.Update("bounded", job =>
        {
            job.LastReleaseAt = Now;
            job.RecordsFrom = [new Core.Data.TopicOffset { Topic = "orders", Partition = 1, Offset = 9 }];
        });
        var path = _temp.Db.Path;
        _temp.Db.Dispose();
        using (var old = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = path, Connection = LiteDB.ConnectionType.Direct }))
        {
            old.UserVersion = 3;
        }

        _temp.Reopen();

        Assert.Empty(Store.Job("released")!.RecordsFrom!);
        Assert.Null(Store.Job("waiting")!.RecordsFrom);
        Assert.Equal(9, Assert.Single(Store.Job("bounded")!.RecordsFrom!).Offset);
        Assert.Equal(BackfillDatabase.Version, _temp.Db.Database.UserVersion);
    }

    [Fact]
    public void Create_SlicesBuiltAsTheyAreWritten_AreCountedOnce_WithTheirStates()
    {
        var reads = 0;
        IEnumerable<SliceRecord> Built()
        {
            reads++;
            for (var i = 0; i < 12_000; i++)
            {
                yield return Slice("lazy", i, i % 1_000 == 0 ? SliceState.Released : SliceState.Pending);
            }
        }

        Store.Create(Job("lazy"), Built(), new Transition("lazy", "", "Running", Now, "created"));

        Assert.Equal(1, reads);
        Assert.Equal(new SliceCounts(11_988, 12, 0, 0, 0, 0), Store.Counts("lazy"));
        Assert.Equal(12, Store.InFlightSlices("shopee").Count);
    }

    [Fact]
    public void Create_WhenBuildingTheSlicesFailsPartWay_LeavesNothing_AlsoAfterAReopen()
    {
        IEnumerable<SliceRecord> FailingAfterMany()
        {
            for (var i = 0; i < 11_000; i++)
            {
                yield return Slice("half", i, i % 1_000 == 0 ? SliceState.Released : SliceState.Pending);
            }

            throw new InvalidOperationException("the disk is full");
        }

        Assert.Throws<InvalidOperationException>(() => Store.Create(Job("half"), FailingAfterMany(), new Transition("half", "", "Running", Now, "created")));

        for (var open = 0; open < 2; open++)
        {
            var db = open == 0 ? _temp.Db : _temp.Reopen();
            var store = new JobStore(db);
            Assert.Null(store.Job("half"));
            Assert.Empty(store.Slices("half"));
            Assert.Null(db.Totals.FindById("half"));
            Assert.Empty(store.InFlightSlices("shopee"));
            Assert.Empty(store.History("half"));
        }
    }

    [Fact]
    public void Create_AfterACrashLeftAPlan_DeletesItsSlicesFirst_AndNoJobEverShowedThem()
    {
        // What a kill between two batches leaves: the plan, and slices of a job never stored.
        _temp.Db.Plans.Insert(new PlanDocument { Id = "killed" });
        _temp.Db.Slices.InsertBulk(Enumerable.Range(0, 30).Select(i => Slice("killed", i, SliceState.Pending)));
        var db = _temp.Reopen();
        Assert.Empty(Store.Jobs());
        Assert.Null(Store.Job("killed"));

        CreateJob("next");

        Assert.Empty(db.Slices.Find(s => s.JobId == "killed"));
        Assert.Empty(db.Plans.FindAll());
        Assert.Equal(6, Store.Counts("next").Total);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(100)]
    public void SlicePage_FollowedToTheEnd_GivesEverySliceOnce_EarliestDayFirst_WhateverItsState(int limit)
    {
        CreateJob("j1", days: 10, shops: ["10", "9", "11"]);
        CreateJob("j2", days: 2);
        foreach (var (id, state) in new[] { ("j1/9/20240503", SliceState.Released), ("j1/10/20240507", SliceState.Released), ("j1/11/20240501", SliceState.Released) })
        {
            var slice = Store.Slice(id)!;
            Store.Save(slice, slice.MoveTo(state, Now, "release"));
        }

        var all = Follow(limit, state: null);
        var released = Follow(limit, SliceState.Released);

        Assert.Equal(Store.Slices("j1").Select(s => s.Id), all);
        Assert.Equal(30, all.Count);
        Assert.Equal(["j1/11/20240501", "j1/9/20240503", "j1/10/20240507"], released);
    }

    [Fact]
    public void SlicePage_ASliceThatChangesStateBetweenPages_KeepsItsPlace()
    {
        CreateJob("j1", days: 4);
        var (first, more) = Store.SlicePage("j1", null, after: null, limit: 3);
        Assert.True(more);

        // The next page's first slice moves on, and one already shown does too: neither is lost nor shown twice.
        foreach (var id in new[] { "j1/2/20240502", "j1/1/20240501" })
        {
            var slice = Store.Slice(id)!;
            Store.Save(slice, slice.MoveTo(SliceState.Released, Now, "release"));
        }

        var (rest, end) = Store.SlicePage("j1", null, first[^1], limit: 10);

        Assert.False(end);
        Assert.Equal(Store.Slices("j1").Select(s => s.Id), first.Concat(rest).Select(s => s.Id));
    }

    private List<string> Follow(int limit, SliceState? state)
    {
        var seen = new List<string>();
        SliceRecord? after = null;
        for (var pages = 0; pages < 100; pages++)
        {
            var (page, more) = Store.SlicePage("j1", state, after, limit);
            Assert.True(page.Count <= limit);
            seen.AddRange(page.Select(s => s.Id));
            if (!more)
            {
                return seen;
            }

            Assert.Equal(limit, page.Count);
            after = page[^1];
        }

        throw new InvalidOperationException("paging did not end");
    }

    [Fact]
    public void Slices_ByJobAndState_ReturnsOnlyThoseOldestDayFirst()
    {
        CreateJob("j1");
        CreateJob("j2");
        var slice = Store.Slice("j1/2/20240502")!;
        Store.Save(slice, slice.MoveTo(SliceState.Released, Now, "release"));

        var pending = Store.Slices("j1", SliceState.Pending, limit: 3);

        Assert.Equal(["j1/1/20240501", "j1/2/20240501", "j1/1/20240502"], pending.Select(s => s.Id));
        Assert.Equal("j1/2/20240502", Assert.Single(Store.Slices("j1", SliceState.Released)).Id);
        Assert.Empty(Store.Slices("j2", SliceState.Released));
    }

    [Fact]
    public void Slices_ByJobAndState_KeepsToTheJob_WhenLiteDbsLikeWouldMatchAnother()
    {
        // The day-ordered read is a range of the job/state/day index; a LIKE 'job|state|%' would read '_' and '%' as wildcards.
        CreateJob("p_1", days: 2);
        CreateJob("pX1", days: 2);
        CreateJob("p%1", days: 2);

        var pending = Store.Slices("p_1", SliceState.Pending);

        Assert.Equal(4, pending.Count);
        Assert.All(pending, s => Assert.Equal("p_1", s.JobId));
        Assert.Equal(4, Store.Slices("p_1").Count);
    }

    [Fact]
    public void SlicesOfAJob_AreReadAsARangeOfTheJobStateDayIndex()
    {
        CreateJob("j1");

        var plan = _temp.Db.Slices.Query().Where(BackfillDatabase.KeysStartingWith("j1|Pending|")).GetPlan();

        Assert.Equal("INDEX RANGE SCAN(job_state_day BETWEEN \"j1|Pending|\" AND \"j1|Pending}\")", plan["index"]["mode"].AsString);
        Assert.True(plan["filters"].IsNull, "no filter after the index");
    }

    [Fact]
    public void InFlight_CountsReleasedAndRunningAcrossJobsOfOnePlatform()
    {
        CreateJob("a");
        CreateJob("b");
        CreateJob("c", platform: "lazada");
        Release("a/1/20240501");
        Release("b/1/20240501");
        var running = Release("b/2/20240501");
        Store.Save(running, running.MoveTo(SliceState.Running, Now, "step 0"));
        Release("c/1/20240501");

        Assert.Equal(3, Store.InFlightSlices("shopee").Count);
        Assert.Single(Store.InFlightSlices("lazada"));
    }

    [Fact]
    public void InFlight_SliceThatEndsOrGoesBack_LeavesIt_AndItSurvivesReopen()
    {
        CreateJob("a");
        var done = Release("a/1/20240501");
        var back = Release("a/1/20240502");
        Release("a/2/20240501");
        Store.Save(done, done.MoveTo(SliceState.Running, Now, "step 0"));
        Store.Save(done, done.MoveTo(SliceState.Succeeded, Now, "last page"));
        Store.Save(back, back.MoveTo(SliceState.Pending, Now, "resent"));

        _temp.Reopen();

        Assert.Equal(["a/2/20240501"], Store.InFlightSlices("shopee").Select(s => s.Id));
        Assert.Equal(Store.Counts("a").Released, Store.Count("a", SliceState.Released));
    }

    [Fact]
    public void Open_FileFromBeforeVersion1_ListsItsInFlightSlices_AndDropsTheIndexesNothingReads()
    {
        CreateJob("a");
        CreateJob("b", platform: "lazada");
        Release("a/1/20240501");
        var running = Release("b/2/20240502");
        Store.Save(running, running.MoveTo(SliceState.Running, Now, "step 0"));
        var path = _temp.Db.Path;
        _temp.Db.Dispose();
        using (var old = new LiteDB.LiteDatabase(new LiteDB.ConnectionString { Filename = path, Connection = LiteDB.ConnectionType.Direct }))
        {
            // As version 0 left it: no in-flight collection, the job/state and platform/state indexes.
            old.DropCollection("in_flight");
            old.GetCollection("slices").EnsureIndex("job_state", "$.JobId + '|' + $.State");
            old.GetCollection("slices").EnsureIndex("platform_state", "$.Platform + '|' + $.State");
            old.UserVersion = 0;
        }

        _temp.Reopen();

        Assert.Equal(["a/1/20240501"], Store.InFlightSlices("shopee").Select(s => s.Id));
        Assert.Equal(["b/2/20240502"], Store.InFlightSlices("lazada").Select(s => s.Id));
        Assert.Equal(BackfillDatabase.Version, _temp.Db.Database.UserVersion);
        var indexes = _temp.Db.Database.GetCollection("$indexes").Find(LiteDB.Query.EQ("collection", "slices")).Select(i => i["name"].AsString).Order();
        Assert.Equal(["_id", "job_state_day"], indexes);
    }

    [Fact]
    public void Save_RecordsTransitionsInOrder_AndSurvivesReopen()
    {
        CreateJob("j1");
        var slice = Release("j1/1/20240501");
        Store.Save(slice, slice.MoveTo(SliceState.Running, Now.AddSeconds(1), "step 0 started"));
        slice.Step = 0;
        slice.Cursor = "abc";
        Store.Save(slice, slice.MoveTo(SliceState.Succeeded, Now.AddSeconds(2), "last page"));

        _temp.Reopen();

        var stored = Store.Slice("j1/1/20240501")!;
        Assert.Equal(SliceState.Succeeded, stored.State);
        Assert.Equal("abc", stored.Cursor);
        Assert.Equal(new DateOnly(2024, 5, 1), stored.FirstDay);
        Assert.Equal(TimeSpan.FromHours(8), stored.From.Offset);
        Assert.Equal(["Pending→Released", "Released→Running", "Running→Succeeded"], Store.History("j1/1/20240501").Select(e => $"{e.From}→{e.To}"));
        Assert.Equal(TimeSpan.FromMinutes(5), Store.Job("j1")!.ReleaseEvery);
    }

    [Fact]
    public void ActiveJobs_ExcludesFinishedOnes()
    {
        CreateJob("a");
        var b = CreateJob("b");
        Store.Save(b, b.MoveTo(JobState.Cancelled, Now, "operator"));

        Assert.Equal(["a"], Store.ActiveJobs().Select(j => j.Id));
    }

    private SliceRecord Release(string id)
    {
        var slice = Store.Slice(id)!;
        Store.Save(slice, slice.MoveTo(SliceState.Released, Now, "release"));
        return slice;
    }

    public void Dispose() => _temp.Dispose();

    private static JobRecord Job(string id) => new()
    {
        Id = id, Platform = "shopee", Shops = ["1"], FirstDay = new DateOnly(2000, 1, 1), EndDay = new DateOnly(2040, 1, 1),
        ReleaseEvery = TimeSpan.FromMinutes(5), State = JobState.Running, CreatedAt = Now,
    };

    private static SliceRecord Slice(string job, int i, SliceState state)
    {
        var day = new DateOnly(2000, 1, 1).AddDays(i);
        return new SliceRecord
        {
            Id = SliceRecord.MakeId(job, "1", day), JobId = job, Platform = "shopee", Shop = "1", FirstDay = day, EndDay = day.AddDays(1),
            From = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), To = new DateTimeOffset(day.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            State = state, UpdatedAt = Now,
        };
    }
}
