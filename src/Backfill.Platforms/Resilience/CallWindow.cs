using System.Diagnostics.CodeAnalysis;

namespace Backfill.Platforms.Resilience;

/// <summary>
/// Keeps this process's calls within a platform's strict sliding window however long they take. A call holds a place
/// while it is counted, and a new call starts only while fewer than <see cref="Limit"/> calls are counted.
/// <list type="bullet">
/// <item><see cref="CallCounting.Strict"/>: the platform counts a call somewhere between its start and its answer, so a
/// call is counted from its start until one window after it ended. Whatever the latencies, no window of the platform holds
/// more than <see cref="Limit"/> calls; the price is throughput: Limit calls per (window + latency).</item>
/// <item>On arrival: the platform counts a call when its request arrives, after a delay that varies by at most the jitter
/// J, so a call is counted from its start for one window + J, whatever its answer's latency. The arrivals in any window
/// of the platform come from starts less than window + J apart, at most Limit of them; Limit calls per (window + J).
/// Two delays the jitter does not cover make a call counted strict from when they are known: its request still in this
/// process more than half the jitter after its start (a pause of the process: compiling its code, a stall, a GC), so
/// that only the way from the process to the platform's stamp is left to the rest of the jitter; and its request
/// waiting for a new connection (TCP, TLS), as a process's first calls do (<see cref="Call.Leave"/>,
/// <see cref="Call.Connecting"/>).</item>
/// </list>
/// On arrival a window also spreads its starts evenly, one per spacing (window + J) / Limit, each allowed up to J early:
/// that is the window's own rate, so a window with calls waiting still starts Limit per window + J, but no more at once
/// than fit in J. Left alone, a full window starts its calls together again each time their places free, and a platform
/// stamping a burst of requests one after another stamps its last ones late: jitter the rule must cover.
/// </summary>
internal sealed class CallWindow
{
    private readonly Lock _lock = new();

    // When each counted call that is not in flight strict was last stamped, oldest first: a strict call's end, an
    // arriving call's start, an unanswered call's latest possible arrival (which may lie ahead). Kept in time order.
    private readonly LinkedList<long> _stamps = new();
    private readonly TimeProvider _time;
    private readonly Func<(int Limit, TimeSpan Window)> _capacity;
    private readonly CallCounting _counting;
    private int _strictInFlight;
    private int _inFlight;
    private LaneLending? _lending;
    private long _lastStart = -1;

    // On arrival, when the next start is due were the starts spread evenly (the generic cell rate algorithm): a start is
    // allowed up to J before it, and moves it one spacing on from max(it, now).
    private long _paceAt;
    private TimeSpan _latency;
    private TaskCompletionSource _callEnded = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CallWindow(int limit, TimeSpan window, TimeProvider time, CallCounting counting = default)
        : this(Fixed(limit, window), time, counting)
    {
    }

    /// <summary>A window whose capacity may change (a slowed-down rate is fewer calls, or a longer window); a smaller one applies at once to the calls already counted.</summary>
    public CallWindow(Func<(int Limit, TimeSpan Window)> capacity, TimeProvider time, CallCounting counting = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity().Limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(counting.Jitter, TimeSpan.Zero);
        _capacity = capacity;
        _time = time;
        _counting = counting;
    }

    public int Limit => _capacity().Limit;

    public TimeSpan Window => _capacity().Window;

    /// <summary>Calls counted now: strict, those in flight or ended less than a window ago; on arrival, those started less than a window + jitter ago.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                Evict(_time.GetTimestamp(), Window);
                return Counted;
            }
        }
    }

    /// <summary>The calls' latency, start to answer: a moving average of the answered calls' (each weighs an eighth); zero before the first answer.</summary>
    public TimeSpan Latency
    {
        get
        {
            lock (_lock)
            {
                return _latency;
            }
        }
    }

    private int Counted => _strictInFlight + _stamps.Count;

    /// <summary>Whether a call started here less than <paramref name="span"/> ago.</summary>
    public bool StartedWithin(TimeSpan span)
    {
        lock (_lock)
        {
            return _lastStart >= 0 && _time.GetElapsedTime(_lastStart) < span;
        }
    }

    /// <summary>Starts a call if there is room; dispose the call when its answer is in (or it failed).</summary>
    public bool TryStart([NotNullWhen(true)] out Call? call)
    {
        lock (_lock)
        {
            return TryStartLocked(out call);
        }
    }

    /// <summary>
    /// Lends this window's places to the steps of other lanes while <paramref name="lending"/>'s partition stays here (the
    /// latest partition that carries the lane here; one already leaving changes nothing).
    /// </summary>
    public void LendWhile(LaneLending lending)
    {
        lock (_lock)
        {
            if (lending.IsOpen && _lending != lending)
            {
                _lending = lending;
                lending.Carries(this);
            }
        }
    }

    /// <summary>Whether a call of another lane may take a place here now (the partition that carries it is still here).</summary>
    public bool IsLent
    {
        get
        {
            lock (_lock)
            {
                return _lending is { IsOpen: true };
            }
        }
    }

    /// <summary>
    /// Starts a call of another lane in a place of this one, if the partition that carries this lane is still here and
    /// there is room; <paramref name="owner"/> is that partition's lease, which the call must also hold.
    /// </summary>
    public bool TryLend([NotNullWhen(true)] out Call? call, out OwnershipLease? owner)
    {
        lock (_lock)
        {
            // Checked under the lock that IdleAsync reads the calls under way with: a partition leaving either sees this
            // call under way, or this call sees the partition leaving.
            owner = _lending?.Owner;
            if (_lending is not { IsOpen: true })
            {
                call = null;
                return false;
            }

            return TryStartLocked(out call);
        }
    }

    /// <summary>
    /// Returns once no call started here is under way, and none given up on may still reach the platform (its latest
    /// possible arrival has passed): from then on the window's calls are over for the platform too, as for a hand-over.
    /// </summary>
    public async Task IdleAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task callEnded;
            var ahead = TimeSpan.Zero;
            lock (_lock)
            {
                callEnded = _callEnded.Task;
                if (_inFlight == 0)
                {
                    ahead = LateFor(_time.GetTimestamp());
                    if (ahead <= TimeSpan.Zero)
                    {
                        return;
                    }
                }
            }

            await (ahead > TimeSpan.Zero ? Task.Delay(ahead, _time, cancellationToken) : callEnded.WaitAsync(cancellationToken));
        }
    }

    /// <summary>How long until the latest possible arrival of every call given up on here has passed (zero: it has).</summary>
    public TimeSpan Late
    {
        get
        {
            lock (_lock)
            {
                return LateFor(_time.GetTimestamp());
            }
        }
    }

    private TimeSpan LateFor(long now) => _stamps.Last is { } last && last.Value > now ? _time.GetElapsedTime(now, last.Value) : TimeSpan.Zero;

    private bool TryStartLocked([NotNullWhen(true)] out Call? call)
    {
        var (limit, window) = _capacity();
        var now = _time.GetTimestamp();
        Evict(now, window);
        if (Counted >= limit || PaceDelay(now) > TimeSpan.Zero)
        {
            call = null;
            return false;
        }

        var spacing = _counting.OnArrival ? Spacing(limit, window) : 0;
        _paceAt = Math.Max(_paceAt, now) + spacing;
        _lastStart = now;
        _inFlight++;
        if (_counting.OnArrival)
        {
            call = new Call(this, now, AddInOrder(now), spacing);
        }
        else
        {
            _strictInFlight++;
            call = new Call(this, now, stamp: null, spacing);
        }

        return true;
    }

    /// <summary>
    /// Returns once there may be room: when the oldest stamped call leaves the window, or, strict with every counted call
    /// still in flight, when one ends; with room in the window but the next start not yet due (on arrival), when it is.
    /// </summary>
    public async ValueTask WaitForRoomAsync(CancellationToken cancellationToken)
    {
        TimeSpan delay;
        Task callEnded;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            var (limit, window) = _capacity();
            Evict(now, window);
            if (Counted < limit)
            {
                delay = PaceDelay(now);
                if (delay <= TimeSpan.Zero)
                {
                    return;
                }
            }
            else
            {
                // With fewer places than counted calls (the capacity shrank), room comes when enough of them have left.
                var leaving = Counted - limit;
                delay = _stamps.Count > leaving ? Hold(window) - _time.GetElapsedTime(_stamps.ElementAt(leaving), now) : TimeSpan.Zero;
            }

            callEnded = _callEnded.Task;
        }

        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, _time, cancellationToken);
        }
        else
        {
            await callEnded.WaitAsync(cancellationToken);
        }
    }

    /// <param name="unanswered">
    /// Null when the call's answer came back or it never went out; for a call given up on unanswered, how much later the
    /// platform may still receive it. The call then counts as arriving at the end of that.
    /// </param>
    private void End(Call call, bool counted, TimeSpan? unanswered = null)
    {
        TaskCompletionSource ended;
        lock (_lock)
        {
            _inFlight--;
            var started = call.Stamp;
            if (!counted)
            {
                // A start that never went out takes no spacing either.
                _paceAt -= call.Spacing;
            }

            if (started is null)
            {
                _strictInFlight--;
            }

            if (counted && unanswered is null)
            {
                var took = _time.GetElapsedTime(call.Start);
                _latency = _latency == TimeSpan.Zero ? took : _latency + ((took - _latency) / 8);
            }

            if (started?.List is not null && (!counted || unanswered is not null))
            {
                _stamps.Remove(started);
            }

            if (counted && (started is null || unanswered is not null))
            {
                var now = _time.GetTimestamp();
                AddInOrder(unanswered is { } late ? now + (long)(late.TotalSeconds * _time.TimestampFrequency) : now);
            }

            ended = _callEnded;
            _callEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        ended.TrySetResult();
    }

    /// <inheritdoc cref="Call.Leave"/>
    private Departure Leave(Call call, bool connecting)
    {
        lock (_lock)
        {
            if (call.Stamp is not { } stamp || call.IsEnded)
            {
                return Departure.OnTime;
            }

            var now = _time.GetTimestamp();
            var held = _time.GetElapsedTime(call.Start, now);
            var late = held > _counting.MostHeld;
            if (!late && !connecting)
            {
                return new(DepartureKind.OnTime, held);
            }

            // A stamp still here after eviction has counted the call without a break since its start: no call took its place.
            Evict(now, Window);
            if (stamp.List is null)
            {
                return new(DepartureKind.TooLate, held);
            }

            CountStrict(call, stamp);
            return new(late ? DepartureKind.Late : DepartureKind.Connecting, held);
        }
    }

    /// <inheritdoc cref="Call.Connecting"/>
    private void Connecting(Call call)
    {
        lock (_lock)
        {
            // A call that ended meanwhile (it found another connection) holds as it ended.
            if (call.Stamp is { } stamp && !call.IsEnded)
            {
                // Left the window already only if the request took a window + J to reach the connection pool: counted
                // again, from now, all the same.
                CountStrict(call, stamp);
            }
        }
    }

    /// <summary>From now on the call holds its place until a window + J after its end. Under the lock.</summary>
    private void CountStrict(Call call, LinkedListNode<long> stamp)
    {
        if (stamp.List is not null)
        {
            _stamps.Remove(stamp);
        }

        call.Stamp = null;
        _strictInFlight++;
    }

    /// <summary>Adds a stamp after every stamp not later than it: only an unanswered call's stamps lie ahead of now.</summary>
    private LinkedListNode<long> AddInOrder(long stamp)
    {
        var after = _stamps.Last;
        while (after is not null && after.Value > stamp)
        {
            after = after.Previous;
        }

        return after is null ? _stamps.AddFirst(stamp) : _stamps.AddAfter(after, stamp);
    }

    private void Evict(long now, TimeSpan window)
    {
        var hold = Hold(window);
        while (_stamps.First is { } oldest && _time.GetElapsedTime(oldest.Value, now) >= hold)
        {
            _stamps.RemoveFirst();
        }
    }

    /// <summary>How long the next start must wait to keep the starts spread (zero when it may start now; always zero counted strict).</summary>
    private TimeSpan PaceDelay(long now)
    {
        if (!_counting.OnArrival)
        {
            return TimeSpan.Zero;
        }

        var due = _paceAt - (long)(_counting.Jitter.TotalSeconds * _time.TimestampFrequency);
        return due > now ? _time.GetElapsedTime(now, due) : TimeSpan.Zero;
    }

    /// <summary>The window's rate as a gap between starts, in timestamp ticks: (window + J) / Limit.</summary>
    private long Spacing(int limit, TimeSpan window) => (long)(Hold(window).TotalSeconds * _time.TimestampFrequency / limit);

    /// <summary>How long a stamp counts: a window after a strict call's end, a window + jitter after an arriving call's start (and after the end of one it counts strict).</summary>
    private TimeSpan Hold(TimeSpan window) => _counting.OnArrival ? window + _counting.Jitter : window;

    private static Func<(int, TimeSpan)> Fixed(int limit, TimeSpan window) => () => (limit, window);

    /// <summary>One started call; disposing it marks its end (once).</summary>
    internal sealed class Call : IDeparting, IDisposable
    {
        private readonly CallWindow _window;
        private int _ended;

        /// <param name="stamp">Counted on arrival: the call's stamp, taken back if it never went out; null for a call counted strict.</param>
        /// <param name="spacing">How far the call's start moved the next due start, given back if it never went out.</param>
        internal Call(CallWindow window, long start, LinkedListNode<long>? stamp, long spacing)
        {
            _window = window;
            Start = start;
            Stamp = stamp;
            Spacing = spacing;
        }

        internal long Start { get; }

        /// <summary>Counted on arrival: the call's stamp; null while it is counted strict. Read and changed under the window's lock.</summary>
        internal LinkedListNode<long>? Stamp { get; set; }

        internal long Spacing { get; }

        /// <summary>Whether the call ended (read under the window's lock, where its end is recorded, it says which came first).</summary>
        internal bool IsEnded => Volatile.Read(ref _ended) == 1;

        /// <summary>
        /// The call's request leaves this process now. Counted on arrival, a request held here longer than
        /// <see cref="CallCounting.MostHeld"/> since its start, or leaving while a connection is being opened
        /// (<paramref name="connecting"/>), is counted strict from now on (until a window + J after its end), which holds
        /// whatever its delay; one held so long that its place may have been taken meanwhile must not be sent
        /// (<see cref="DepartureKind.TooLate"/>: it ends as if it had never started).
        /// </summary>
        public Departure Leave(bool connecting = false)
        {
            var departure = _window.Leave(this, connecting);
            if (departure.Kind == DepartureKind.TooLate)
            {
                Cancel();
            }

            return departure;
        }

        /// <summary>The call's request started a new connection and waits for it: counted strict from now on.</summary>
        public void Connecting() => _window.Connecting(this);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                _window.End(this, counted: true);
            }
        }

        /// <summary>
        /// Ends a call given up on before its answer came (a timeout, a cancellation): its request may still reach the
        /// platform up to <paramref name="late"/> from now, and is counted as arriving then.
        /// </summary>
        public void Unanswered(TimeSpan late)
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                _window.End(this, counted: true, late);
            }
        }

        /// <summary>Gives the place back uncounted: the call never went out (another window had no room).</summary>
        public void Cancel()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                _window.End(this, counted: false);
            }
        }
    }
}
