using System.Diagnostics;
using System.Text;
using Backfill.Messaging.Clients;
using Confluent.Kafka;

namespace Backfill.Messaging.Tests.Clients;

public sealed class TraceHeadersTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public void Of_ThenParent_GivesBackTheActivitysContextAndState()
    {
        using var activity = new Activity("step").SetIdFormat(ActivityIdFormat.W3C);
        activity.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        activity.TraceStateString = "vendor=x";
        activity.Start();

        var headers = TraceHeaders.Of(activity);
        var parent = TraceHeaders.Parent(headers);

        Assert.Equal(activity.TraceId, parent.TraceId);
        Assert.Equal(activity.SpanId, parent.SpanId);
        Assert.Equal(activity.ActivityTraceFlags, parent.TraceFlags);
        Assert.True(parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded));
        Assert.Equal("vendor=x", parent.TraceState);
        Assert.True(parent.IsRemote);
        Assert.Equal(activity.Id, Text(headers!, "traceparent"));
    }

    [Fact]
    public void Of_NoActivity_IsNoHeaders() => Assert.Null(TraceHeaders.Of(null));

    [Theory]
    [InlineData("not-a-traceparent")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b71692033-01")]
    [InlineData("")]
    public void Parent_MalformedTraceparent_IsNoParent(string value)
    {
        var headers = new Headers { { "traceparent", Encoding.UTF8.GetBytes(value) } };

        Assert.Equal(default, TraceHeaders.Parent(headers));
    }

    [Fact]
    public void Parent_BytesThatAreNotTextOrNoValue_IsNoParent()
    {
        Assert.Equal(default, TraceHeaders.Parent(new Headers { { "traceparent", [0xff, 0xfe, 0x00, 0x80] } }));
        Assert.Equal(default, TraceHeaders.Parent(new Headers { { "traceparent", null } }));
    }

    [Fact]
    public void Parent_NoHeaders_IsNoParent()
    {
        Assert.Equal(default, TraceHeaders.Parent(null));
        Assert.Equal(default, TraceHeaders.Parent([]));
        Assert.Equal(default, TraceHeaders.Parent(new Headers { { "backfill-original-bytes", "12"u8.ToArray() } }));
    }

    [Fact]
    public void Next_WithoutAnActivityHere_PassesTheConsumedTraceHeadersOn()
    {
        var consumed = new Headers
        {
            { "traceparent", Encoding.UTF8.GetBytes(TraceParent) },
            { "tracestate", "vendor=x"u8.ToArray() },
            { "backfill-original-bytes", "12"u8.ToArray() },
        };

        var next = TraceHeaders.Next(null, consumed);

        Assert.NotNull(next);
        Assert.Equal(["traceparent", "tracestate"], next.Select(h => h.Key));
        Assert.Equal(TraceParent, Text(next, "traceparent"));
        Assert.Null(TraceHeaders.Next(null, new Headers { { "backfill-original-bytes", "12"u8.ToArray() } }));
        Assert.Null(TraceHeaders.Next(null, null));
    }

    [Fact]
    public void Next_WithAnActivityHere_CarriesIts()
    {
        using var activity = new Activity("step").SetIdFormat(ActivityIdFormat.W3C).SetParentId(TraceParent).Start();
        var consumed = new Headers { { "traceparent", Encoding.UTF8.GetBytes(TraceParent) } };

        var next = TraceHeaders.Parent(TraceHeaders.Next(activity, consumed));

        Assert.Equal(activity.SpanId, next.SpanId);
        Assert.Equal(ActivityTraceId.CreateFromString("0af7651916cd43dd8448eb211c80319c"), next.TraceId);
    }

    private static string Text(Headers headers, string name) => Encoding.UTF8.GetString(headers.GetLastBytes(name));
}
