using System.Net;
using Backfill.Platforms.Configuration;
using Backfill.Platforms.Resilience;
using Microsoft.Extensions.Time.Testing;

namespace Backfill.Platforms.Tests.Resilience;

/// <summary>How a call learns that its request leaves the process, and what a late departure changes.</summary>
public sealed class DepartureTests
{
    private static readonly TimeSpan Jitter = TimeSpan.FromMilliseconds(50);

    private readonly FakeTimeProvider _time = new();
    private readonly ConnectionWatch _connections;

    public DepartureTests() => _connections = new ConnectionWatch(TimeSpan.FromSeconds(30), _time);

    [Theory]
    [InlineData(null)]
    [InlineData(nameof(DepartureKind.OnTime))]
    [InlineData(nameof(DepartureKind.Late))]
    public async Task Handler_SendsARequestThatLeftInItsWindow(string? left)
    {
        DepartureKind? kind = left is null ? null : Enum.Parse<DepartureKind>(left);
        using var sent = new Counting();
        using var invoker = new HttpMessageInvoker(new DepartureHandler("demo", _connections) { InnerHandler = sent });
        var call = kind is { } k ? new Leaving(new Departure(k, TimeSpan.FromMilliseconds(30))) : null;
        Departing.Current = call;

        using var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/"), CancellationToken.None);

        Assert.Equal(1, sent.Requests);
        Assert.Equal(kind is null ? 0 : 1, call?.Left ?? 0);
    }

    [Fact]
    public async Task Handler_RequestHeldPastItsPlace_IsNotSent_ATransientFailureThatSaysSo()
    {
        using var sent = new Counting();
        using var invoker = new HttpMessageInvoker(new DepartureHandler("demo", _connections) { InnerHandler = sent });
        Departing.Current = new Leaving(new Departure(DepartureKind.TooLate, TimeSpan.FromMilliseconds(1234)));

        var failure = await Assert.ThrowsAsync<PlatformException>(
            () => invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/"), CancellationToken.None));

        Assert.Equal(0, sent.Requests);
        Assert.Equal((PlatformErrorKind.Transient, DepartureHandler.HeldTooLong), (failure.Kind, failure.Code));
        Assert.Contains("1234 ms", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Departing_SetInAnAttempt_DoesNotReachItsCaller()
    {
        Departing.Current = null;

        await Attempt();

        Assert.Null(Departing.Current);

        static async Task Attempt()
        {
            Departing.Current = new Leaving(Departure.OnTime);
            await Task.Yield();
        }
    }

    [Fact]
    public async Task Handler_WhileAConnectionIsOpened_TellsTheCallSo_AndPutsItOnTheRequestForTheConnectionItMayStart()
    {
        using var sent = new Counting();
        using var invoker = new HttpMessageInvoker(new DepartureHandler("demo", _connections) { InnerHandler = sent });
        var call = new Leaving(Departure.OnTime);
        using var other = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/other");
        _connections.Started(other);
        Departing.Current = call;
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");

        using var response = await invoker.SendAsync(request, CancellationToken.None);

        Assert.True(call.LeftConnecting);
        Assert.True(request.Options.TryGetValue(DepartureHandler.CallKey, out var onRequest));
        Assert.Same(call, onRequest);
    }

    [Fact]
    public void ConnectionWatch_OpeningFromItsStartToItsEnd_TheStartingRequestsCallToldAtOnce()
    {
        var call = new Leaving(Departure.OnTime);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");
        request.Options.Set(DepartureHandler.CallKey, call);
        var before = _connections.Opening;

        _connections.Started(request);
        var during = _connections.Opening;
        _connections.Ended(request);

        Assert.Equal((false, true, false), (before, during, _connections.Opening));
        Assert.Equal(1, call.Connected);
    }

    [Fact]
    public void ConnectionWatch_AnOpeningNeverSeenToEnd_IsOverAfterTheLongestWait()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");
        _connections.Started(request);

        _time.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromMilliseconds(1));
        var justBefore = _connections.Opening;
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(justBefore);
        Assert.False(_connections.Opening);
    }

    [Fact]
    public void AdmissionLease_LeavesAsLateAsTheLatestOfItsWindows()
    {
        var lane = new CallWindow(4, TimeSpan.FromSeconds(1), _time);
        var shop = new CallWindow(1, TimeSpan.FromSeconds(1), _time, new CallCounting(RateLimitCounting.Arrival, Jitter));
        Assert.True(lane.TryStart(out var laneCall));
        Assert.True(shop.TryStart(out var shopCall));
        using var lease = new AdmissionLease(laneCall, shopCall);
        _time.Advance(TimeSpan.FromMilliseconds(40));

        var departure = lease.Leave();

        Assert.Equal(new Departure(DepartureKind.Late, TimeSpan.FromMilliseconds(40)), departure);
        Assert.Equal(departure, lease.Departure);
    }

    [Theory]
    [InlineData(nameof(DepartureKind.OnTime), false)]
    [InlineData(nameof(DepartureKind.Connecting), false)]
    [InlineData(nameof(DepartureKind.Late), true)]
    [InlineData(nameof(DepartureKind.TooLate), true)]
    public void IsLate_OnlyForARequestHeldInTheProcess_NotForANewConnection(string kind, bool late) =>
        Assert.Equal(late, new Departure(Enum.Parse<DepartureKind>(kind), TimeSpan.FromMilliseconds(30)).IsLate);

    [Theory]
    [InlineData(nameof(DepartureKind.TooLate), 10, nameof(DepartureKind.Late), 900, true)]
    [InlineData(nameof(DepartureKind.Late), 30, nameof(DepartureKind.Late), 40, false)]
    [InlineData(nameof(DepartureKind.OnTime), 20, nameof(DepartureKind.Late), 30, false)]
    public void Worst_IsTheLaterKind_ThenTheLongerHeld(string a, int aMs, string b, int bMs, bool firstIsWorst)
    {
        var first = new Departure(Enum.Parse<DepartureKind>(a), TimeSpan.FromMilliseconds(aMs));
        var second = new Departure(Enum.Parse<DepartureKind>(b), TimeSpan.FromMilliseconds(bMs));
        var expected = firstIsWorst ? first : second;

        Assert.Equal(expected, Departure.Worst(first, second));
        Assert.Equal(expected, Departure.Worst(second, first));
    }

    private sealed class Leaving(Departure departure) : IDeparting
    {
        public int Left { get; private set; }

        public bool? LeftConnecting { get; private set; }

        public int Connected { get; private set; }

        public Departure Leave(bool connecting = false)
        {
            Left++;
            LeftConnecting = connecting;
            return departure;
        }

        public void Connecting() => Connected++;
    }

    private sealed class Counting : HttpMessageHandler
    {
        public int Requests { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests++;
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
