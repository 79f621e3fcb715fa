using System.Collections.Concurrent;
using System.Diagnostics;
using Backfill.Core.Data;
using Backfill.Core.Telemetry;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;
using Backfill.Platforms.Tokens;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace Backfill.Platforms;

/// <summary>
/// One configured platform in this process: its adapter's pages, every call admitted by the platform's
/// <see cref="PlatformBudget"/> in its lane (and shop) window, retried when transient, and signed by the adapter with the
/// shop's current token from <see cref="IShopTokens"/>. A call whose token is refused as expired is announced
/// (<see cref="TokenRefused"/>), waits for a newer token and is asked again, a bounded number of times.
/// </summary>
internal sealed partial class PlatformSource : IOrderSource
{

    /// <summary>The most calls of one page under way at once.</summary>
    internal const int MaxCallsAtOnce = 16;

    /// <summary>
    /// Waits for a newer token one call may make. Tokens live hours, so a second refusal means the newer token was refused
    /// too (a clock far off, a shop whose authorisation was withdrawn): a few more would not help.
    /// </summary>
    internal const int MaxTokenWaits = 3;

    /// <summary>How often at most a request that left this process late is logged.</summary>
    internal static readonly TimeSpan LateWarningEvery = TimeSpan.FromMinutes(1);

    private static readonly ResiliencePropertyKey<LaneRef> LaneKey = new("backfill.lane");
    private static readonly ResiliencePropertyKey<string> ShopKey = new("backfill.shop");
    private static readonly ResiliencePropertyKey<CancellationToken> YieldKey = new("backfill.yield");
    private static readonly ResiliencePropertyKey<OwnershipLease?> OwnershipKey = new("backfill.ownership");
    private static readonly ResiliencePropertyKey<LaneLending?> LendingKey = new("backfill.lending");
    private static readonly ResiliencePropertyKey<CallerTurn?> CallerKey = new("backfill.caller");
    private static readonly ResiliencePropertyKey<AdmissionLease?> AttemptKey = new("backfill.attempt");

    private readonly PlatformOptions _options;
    private readonly IPlatformReader _reader;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PlatformBudget _budget;
    private readonly ResiliencePipeline _pipeline;
    private readonly PlatformCounters _counters = new();
    private readonly IShopTokens _tokens;
    private readonly string[] _secrets;
    private long _lateWarnedAt;
    private readonly long _createdAt;

    // The highest version refused here per shop (each announced once) and the highest signed with (each logged once).
    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _signedWith = new(StringComparer.Ordinal);

    public PlatformSource(string platform, PlatformOptions options, IPlatformReader reader, IShopTokens tokens, TimeProvider time, ILogger<PlatformSource> logger)
    {
        Platform = platform;
        _options = options;
        _reader = reader;
        _tokens = tokens;
        _time = time;
        _logger = logger;
        _secrets = [options.PartnerKey, options.AppSecret, .. options.Shops.Values.Select(s => s.AccessToken)];
        _budget = new PlatformBudget(platform, options.RateLimit, time);
        _budget.QuotaWanted += want => QuotaWanted?.Invoke(Platform, want);
        _pipeline = PlatformPipeline.Create(platform, options.Retry, options.Timeout, Admit, time, OnRetry);
        _createdAt = time.GetTimestamp();
    }

    public string Platform { get; }

    public PlatformCallStats Stats => _counters.Snapshot();

    public LanePlan Plan => _budget.Plan;

    public BudgetSnapshot Budget => _budget.Snapshot();

    /// <summary>Raised when this process's breaker opens for the platform, with the cool-off's end.</summary>
    public event Action<string, DateTimeOffset>? CoolOffStarted;

    /// <summary>Raised when a throttle answer here starts or lengthens the platform's pause, with the pause's end.</summary>
    public event Action<string, DateTimeOffset>? Throttled;

    /// <summary>Raised with the platform and the calls to ask the scheduler for when this process holds too few of its quotas.</summary>
    public event Action<string, long>? QuotaWanted;

    /// <summary>Raised with the platform and when to resume when the platform refused a call for its quota (someone else spent it).</summary>
    public event Action<string, DateTimeOffset>? QuotaRefused;

    /// <summary>Raised with the platform, shop and version when the platform refused that token version as expired, once per shop and version.</summary>
    public event Action<string, string, long>? TokenRefused;

    public void CoolOff(DateTimeOffset until) => _budget.CoolOff(until);

    /// <summary>Another worker met a throttle: pause until <paramref name="until"/> and slow down as for one here; true when it was a new event here.</summary>
    public bool ThrottledElsewhere(DateTimeOffset until)
    {
        var outcome = _budget.ThrottledElsewhere(until);
        CoolOffIfOpened(outcome);
        return outcome.Slowed;
    }

    /// <summary>The scheduler granted this process <paramref name="calls"/> calls of the quotas in all until <paramref name="end"/>.</summary>
    public bool QuotaGranted(DateTimeOffset end, long calls) => _budget.Allowance.Granted(end, calls);

    /// <summary>The fleet's limit and safety margin changed while running; null: the problem when they do not fit the lanes.</summary>
    public string? SetLimit(double? permitsPerSecond, double? safetyMargin) => _budget.Retarget(permitsPerSecond, safetyMargin, out var problem) ? null : problem;

    public string TimeField => _options.TimeRangeField;

    public async Task<RecordPage> FetchAsync(PageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.To <= request.From)
        {
            throw Count(new PlatformException(Platform, PlatformErrorKind.Permanent, "invalid_range", $"the slice [{request.From:O}, {request.To:O}) is empty"));
        }

        var timeField = request.TimeField ?? _options.TimeRangeField;
        if (TimeFields.Problem(timeField) is { } problem)
        {
            throw Count(new PlatformException(Platform, PlatformErrorKind.Permanent, "invalid_time_field", problem));
        }

        CheckLane(request.Lane, request.ShopId);
        var query = new PageQuery(request.ShopId, request.From, request.To, request.Cursor, request.Data, timeField);
        return await _reader.ReadAsync(query, new PageCalls(this, request), cancellationToken);
    }

    /// <summary>
    /// How many calls of a page go out at once: the lane's calls per window, so a step alone can fill its lane (more would
    /// only queue at the budget), at most <see cref="MaxCallsAtOnce"/>.
    /// </summary>
    private int CallsAtOnce(LaneRef lane) =>
        Math.Clamp(lane.Count >= 1 && lane.Count <= _budget.Plan.LaneCalls && lane.Index >= 0 && lane.Index < lane.Count ? _budget.Plan.Share(lane.Index, lane.Count) : _budget.Plan.LaneCalls, 1, MaxCallsAtOnce);

    private void CheckLane(LaneRef lane, string shop)
    {
        var plan = _budget.Plan;
        if (lane.Count < 1 || lane.Count > plan.LaneCalls || lane.Index < 0 || lane.Index >= lane.Count)
        {
            throw Count(new PlatformException(
                Platform,
                PlatformErrorKind.Permanent,
                "lane_mismatch",
                $"lane {lane} does not fit this worker's budget of {plan.LaneCalls} calls per window for lanes; scheduler and workers must share {PlatformsConfiguration.SectionName}:{Platform}:RateLimit and {Core.Secrets.SecretBox.ConfigurationKey}"));
        }

        // Under a per-shop limit each of the shop's lanes holds its part of the shop's limit, kept by that lane's owner; a
        // lane outside them (released before the limit or the lanes changed) has no part, and calling there could exceed it.
        if (plan.Sticky && plan.Scope != RateLimitScope.Process && plan.RankOf(shop, lane) is null)
        {
            throw Count(new PlatformException(
                Platform,
                PlatformErrorKind.Permanent,
                "lane_mismatch",
                $"lane {lane} is not one of shop {shop}'s lanes [{string.Join(", ", plan.LanesOf(shop))}] of {plan.Lanes} under the per-shop limit; the slice was released under another {PlatformsConfiguration.SectionName}:{Platform}:RateLimit: retry it to release it on the shop's lanes"));
        }
    }

    private async ValueTask<System.Threading.RateLimiting.RateLimitLease> Admit(ResilienceContext context)
    {
        var lane = context.Properties.GetValue(LaneKey, LaneRef.Whole);
        var shop = context.Properties.GetValue(ShopKey, "");
        var yield = context.Properties.GetValue(YieldKey, CancellationToken.None);
        var ownership = context.Properties.GetValue(OwnershipKey, null);
        var lending = context.Properties.GetValue(LendingKey, null);
        var caller = context.Properties.GetValue(CallerKey, null);
        System.Threading.RateLimiting.RateLimitLease lease;
        if (!yield.CanBeCanceled)
        {
            lease = await _budget.AcquireAsync(lane, shop, ownership, context.CancellationToken, caller, lending);
        }
        else
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, yield);
            lease = await _budget.AcquireAsync(lane, shop, ownership, waiting.Token, caller, lending);
        }

        context.Properties.Set(AttemptKey, lease as AdmissionLease);
        return lease;
    }

    /// <summary>
    /// One call through the pipeline (admission, timeout, transient retries), each attempt signed with the shop's current
    /// token; a refusal of that token as expired waits for a newer one and asks again (<see cref="MaxTokenWaits"/>).
    /// </summary>
    private async Task<T> CallAsync<T>(
        PageRequest request,
        Func<string, CancellationToken, Task<HttpResponseMessage>> send,
        Func<PlatformAnswer, T> read,
        CancellationToken cancellationToken)
        where T : class
    {
        using var activity = StartCall(request);
        try
        {
            var answer = await CallUntracedAsync(request, send, read, cancellationToken);
            activity?.SetTag(BackfillTelemetry.Tags.Outcome, "ok");
            return answer;
        }
        catch (Exception e) when (activity is not null)
        {
            activity.SetTag(BackfillTelemetry.Tags.Outcome, OutcomeOf(e));
            if (e is not OperationCanceledException)
            {
                // A platform failure's message is the one the log and the slice's error show, its secrets already taken out.
                activity.SetStatus(ActivityStatusCode.Error, e is PlatformException ? e.Message : e.GetType().Name);
            }

            throw;
        }
    }

    /// <summary>The call's activity, a child of the step's; null when nobody listens. Its tags name the platform, shop and lane, never a token.</summary>
    private Activity? StartCall(PageRequest request) =>
        BackfillTelemetry.Source.HasListeners()
            ? BackfillTelemetry.Source.StartActivity(BackfillTelemetry.PlatformCall, ActivityKind.Client)
                ?.SetTag(BackfillTelemetry.Tags.Platform, Platform)
                .SetTag(BackfillTelemetry.Tags.Shop, request.ShopId)
                .SetTag(BackfillTelemetry.Tags.Lane, request.Lane.Index)
            : null;

    private static string OutcomeOf(Exception e) => e switch
    {
        PlatformException { Kind: PlatformErrorKind.Throttle } => "throttle",
        PlatformException { Kind: PlatformErrorKind.Transient } => "transient",
        PlatformException { Kind: PlatformErrorKind.Quota } => "quota",
        PlatformException { Kind: PlatformErrorKind.TokenExpired } => "token-expired",
        PlatformException => "permanent",
        OperationCanceledException => "cancelled",
        _ => "error",
    };

    private async Task<T> CallUntracedAsync<T>(
        PageRequest request,
        Func<string, CancellationToken, Task<HttpResponseMessage>> send,
        Func<PlatformAnswer, T> read,
        CancellationToken cancellationToken)
        where T : class
    {
        for (var waits = 0; ; waits++)
        {
            var signed = new SignedWith();
            await FirstTokenAsync(request, cancellationToken);
            try
            {
                return await CallOnceAsync(request, send, read, signed, cancellationToken);
            }
            catch (PlatformException e) when (e.Kind == PlatformErrorKind.TokenExpired)
            {
                await NewerTokenAsync(request, e, signed.Version, waits, cancellationToken);
            }
        }
    }

    private async Task<T> CallOnceAsync<T>(
        PageRequest request,
        Func<string, CancellationToken, Task<HttpResponseMessage>> send,
        Func<PlatformAnswer, T> read,
        SignedWith signed,
        CancellationToken cancellationToken)
        where T : class
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(LaneKey, request.Lane);
        context.Properties.Set(ShopKey, request.ShopId);
        context.Properties.Set(YieldKey, request.Yield);
        context.Properties.Set(OwnershipKey, request.Ownership);
        context.Properties.Set(LendingKey, request.Lending);
        context.Properties.Set(CallerKey, request.Caller);
        try
        {
            return await _pipeline.ExecuteAsync(
                async (attempt, state) =>
                {
                    var token = _tokens.Current(Platform, state.request.ShopId)
                        ?? throw NoToken(state.request.ShopId);
                    state.signed.Version = token.Version;
                    NoteSigning(state.request.ShopId, token.Version);
                    var admitted = attempt.Properties.GetValue(AttemptKey, null);
                    Departing.Current = admitted;
                    try
                    {
                        return await AttemptAsync(
                            t => state.send(token.AccessToken, t), state.read, token.AccessToken, state.cancellationToken, attempt.CancellationToken);
                    }
                    catch (Exception ex)
                    {
                        if (PlatformHttp.IsGivenUp(ex))
                        {
                            // A platform still busy with the request may count it as late as one timeout more.
                            attempt.Properties.GetValue(AttemptKey, null)?.GivenUp(_options.Timeout);
                        }

                        if (ex is PlatformException platform)
                        {
                            Record(platform, state.request.ShopId, token.Version);
                        }

                        throw;
                    }
                    finally
                    {
                        if (admitted?.Departure is { IsLate: true } departure)
                        {
                            LeftLate(departure);
                        }
                    }
                },
                context,
                (send, read, cancellationToken, request, signed));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>
    /// A call's request left this process later after its admission than counting it on arrival allows: counted, and
    /// logged at most once a minute (a stall of the process delays many at once); a warning after the process's first
    /// minute, in which compiling its code delays its first calls anyway.
    /// </summary>
    private void LeftLate(Departure departure)
    {
        var late = _counters.LeftLate();
        var now = _time.GetTimestamp();
        var warned = Interlocked.Read(ref _lateWarnedAt);
        if ((warned == 0 || _time.GetElapsedTime(warned, now) >= LateWarningEvery) && Interlocked.CompareExchange(ref _lateWarnedAt, now, warned) == warned)
        {
            Log.LeftLate(
                _logger,
                _time.GetElapsedTime(_createdAt, now) < LateWarningEvery ? LogLevel.Information : LogLevel.Warning,
                Platform,
                (long)departure.Held.TotalMilliseconds,
                (long)_budget.Plan.Counting.MostHeld.TotalMilliseconds,
                departure.Kind == DepartureKind.TooLate ? "was not sent and is asked again" : "is counted strict",
                late);
        }
    }

    /// <summary>A shop with no token yet waits for its first (the scheduler refreshes a shop it has only a refresh token of at once).</summary>
    private async Task FirstTokenAsync(PageRequest request, CancellationToken cancellationToken)
    {
        if (_tokens.Current(Platform, request.ShopId) is not { } current)
        {
            if (request.TokenWait <= TimeSpan.Zero || !await WaitAsync(request, -1, cancellationToken))
            {
                throw NoToken(request.ShopId);
            }
        }
        else if (request.TokenWait > TimeSpan.Zero && _refused.TryGetValue(request.ShopId, out var refused) && current.Version <= refused)
        {
            // The platform refused this version as expired here already: a call signed with it would only be refused
            // again, a call of the budget spent for nothing. It waits for the newer one that refusal asked for (should
            // none come, it goes out and its own refusal decides).
            await WaitAsync(request, refused, cancellationToken);
        }
    }

    /// <summary>Returns once a token newer than the refused one is here; throws the failure, made clear, when none comes or waiting is over.</summary>
    private async Task NewerTokenAsync(PageRequest request, PlatformException refused, long version, int waits, CancellationToken cancellationToken)
    {
        var shop = request.ShopId;
        if (request.TokenWait <= TimeSpan.Zero)
        {
            throw Refused(refused, $"the fleet refreshes no tokens ({Core.Secrets.SecretBox.ConfigurationKey} is not set): give shop {shop} a new access token in {ConfigurationKey(shop)}");
        }

        if (waits >= MaxTokenWaits)
        {
            throw Refused(refused, $"refused {waits + 1} times in a row for shop {shop}, each time with a newer token (version {version} last); check the shop's authorisation and this machine's clock");
        }

        if (FirstRefusal(shop, version))
        {
            TokenRefused?.Invoke(Platform, shop, version);
        }

        if (!await WaitAsync(request, version, cancellationToken))
        {
            throw Refused(refused, $"no newer access token for shop {shop} came within {request.TokenWait:c} (the scheduler refreshes it; see its log)");
        }

        Log.TokenRenewed(_logger, Platform, shop, version);
    }

    private async Task<bool> WaitAsync(PageRequest request, long version, CancellationToken cancellationToken)
    {
        // A partition leaving this worker stops the wait as it stops a wait for budget: the step hands on.
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, request.Yield);
        return await _tokens.WaitForNewerAsync(Platform, request.ShopId, version, request.TokenWait, waiting.Token);
    }

    private async ValueTask<T> AttemptAsync<T>(
        Func<CancellationToken, Task<HttpResponseMessage>> send,
        Func<PlatformAnswer, T> read,
        string accessToken,
        CancellationToken callerToken,
        CancellationToken attemptToken)
        where T : class
    {
        _counters.Call();
        var answer = await PlatformHttp.SendAsync(Platform, send, [.. _secrets, accessToken], _time, callerToken, attemptToken);
        return read(answer);
    }

    /// <summary>True for the first refusal of <paramref name="version"/> (or a newer one) of the shop here: announced once.</summary>
    private bool FirstRefusal(string shop, long version)
    {
        while (true)
        {
            if (!_refused.TryGetValue(shop, out var known))
            {
                if (_refused.TryAdd(shop, version))
                {
                    return true;
                }
            }
            else if (known >= version)
            {
                return false;
            }
            else if (_refused.TryUpdate(shop, version, known))
            {
                return true;
            }
        }
    }

    /// <summary>Logs the first call here signed with a shop's new token version.</summary>
    private void NoteSigning(string shop, long version)
    {
        while (true)
        {
            if (!_signedWith.TryGetValue(shop, out var known))
            {
                if (_signedWith.TryAdd(shop, version))
                {
                    break;
                }
            }
            else if (known >= version)
            {
                return;
            }
            else if (_signedWith.TryUpdate(shop, version, known))
            {
                break;
            }
        }

        Log.SigningWith(_logger, Platform, shop, version);
    }

    private PlatformException NoToken(string shop) => Count(new PlatformException(
        Platform, PlatformErrorKind.Permanent, "no_access_token", $"no access token configured for shop {shop} ({ConfigurationKey(shop)}) and none refreshed by the scheduler"));

    /// <summary>The refusal as it fails the slice: the platform's own words, then why waiting did not help.</summary>
    private PlatformException Refused(PlatformException refused, string why) =>
        new(Platform, PlatformErrorKind.TokenExpired, refused.Code, $"{refused.Detail}; {why}", refused.RetryAfter);

    private string ConfigurationKey(string shop) => $"{PlatformsConfiguration.SectionName}:{Platform}:Shops:{shop}:AccessToken";

    private void Record(PlatformException failure, string shopId, long tokenVersion)
    {
        _counters.Failed(failure.Kind);
        switch (failure.Kind)
        {
            case PlatformErrorKind.TokenExpired:
                Log.TokenExpired(_logger, Platform, shopId, tokenVersion, failure.Code);
                break;
            case PlatformErrorKind.Throttle:
                var outcome = _budget.Throttled(failure.RetryAfter);
                Log.Throttled(_logger, Platform, shopId, failure.Code, (long)(outcome.PausedUntil - _time.GetUtcNow()).TotalMilliseconds, _budget.Rate.Factor);
                if (outcome.Lengthened)
                {
                    Throttled?.Invoke(Platform, outcome.PausedUntil);
                }

                CoolOffIfOpened(outcome);
                break;
            case PlatformErrorKind.Quota:
                var resumes = QuotaResumes(failure.RetryAfter);
                _budget.CoolOff(resumes);
                Log.QuotaSpent(_logger, Platform, shopId, failure.Code, resumes);
                QuotaRefused?.Invoke(Platform, resumes);
                break;
            case PlatformErrorKind.Permanent:
                Log.Refused(_logger, Platform, shopId, failure.Code, failure.Message);
                break;
            default:
                Log.TransientFailure(_logger, Platform, shopId, failure.Code, failure.Message);
                break;
        }
    }

    /// <summary>
    /// When a quota the platform says is spent may have reset: after its Retry-After when it sent one, else at the end of
    /// the earliest configured quota window, else after the breaker's cool-off.
    /// </summary>
    private DateTimeOffset QuotaResumes(TimeSpan? retryAfter)
    {
        var now = _time.GetUtcNow();
        return retryAfter is { } after && after > TimeSpan.Zero ? now + after
            : !_budget.Quotas.IsEmpty ? _budget.Quotas.GrantEnd(now)
            : now + _options.RateLimit.Throttle.CoolOff;
    }

    private void CoolOffIfOpened(ThrottleOutcome outcome)
    {
        if (outcome.CoolOffUntil is { } until)
        {
            Log.BreakerOpened(_logger, Platform, until);
            CoolOffStarted?.Invoke(Platform, until);
        }
    }

    private PlatformException Count(PlatformException failure)
    {
        _counters.Failed(failure.Kind);
        return failure;
    }

    private void OnRetry(OnRetryArguments<object> args) =>
        Log.Retrying(_logger, Platform, args.AttemptNumber + 2, _options.Retry.MaxAttempts, (long)args.RetryDelay.TotalMilliseconds);

    /// <summary>The token version an attempt of a call signed with; a refusal of it names that version.</summary>
    private sealed class SignedWith
    {
        public long Version { get; set; } = -1;
    }

    /// <summary>The calls of one page, bound to its request's lane, shop, yield and ownership.</summary>
    private sealed class PageCalls(PlatformSource source, PageRequest request) : IPageCalls
    {
        public int AtOnce => source.CallsAtOnce(request.Lane);

        public Task<T> CallAsync<T>(Func<string, CancellationToken, Task<HttpResponseMessage>> send, Func<PlatformAnswer, T> read, CancellationToken cancellationToken)
            where T : class => source.CallAsync(request, send, read, cancellationToken);

        public PlatformException Fail(PlatformErrorKind kind, string code, string message) =>
            source.Count(new PlatformException(source.Platform, kind, code, message));
    }
}
