using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace Backfill.Messaging.Clients;

/// <summary>
/// W3C trace context (<c>traceparent</c>, <c>tracestate</c>, <c>baggage</c>) in Kafka message headers, so a slice's trace
/// goes on across the action and progress topics. A header that is missing or malformed reads as no parent: a message is
/// never refused or failed for its trace context.
/// </summary>
public static class TraceHeaders
{
    private static readonly DistributedContextPropagator W3C = DistributedContextPropagator.CreateW3CPropagator();

    /// <summary>The headers that carry <paramref name="activity"/>'s context; null when there is no activity (nobody traces).</summary>
    public static Headers? Of(Activity? activity)
    {
        if (activity is null)
        {
            return null;
        }

        var headers = new Headers();
        W3C.Inject(activity, headers, static (carrier, name, value) =>
        {
            if (carrier is Headers h && value is not null)
            {
                h.Add(name, Encoding.UTF8.GetBytes(value));
            }
        });
        return headers;
    }

    /// <summary>
    /// What a message produced because of <paramref name="consumed"/> carries: <paramref name="activity"/>'s context when this
    /// process traces, else the consumed message's own trace headers passed on as they are, so a process that exports
    /// nothing does not cut the trace in two.
    /// </summary>
    public static Headers? Next(Activity? activity, Headers? consumed)
    {
        if (activity is not null)
        {
            return Of(activity);
        }

        if (consumed is null || consumed.Count == 0)
        {
            return null;
        }

        Headers? passed = null;
        foreach (var header in consumed)
        {
            if (IsTraceHeader(header.Key))
            {
                (passed ??= []).Add(header.Key, header.GetValueBytes());
            }
        }

        return passed;
    }

    /// <summary>The remote parent <paramref name="headers"/> name; default (none) when they carry no valid <c>traceparent</c>.</summary>
    public static ActivityContext Parent(Headers? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return default;
        }

        W3C.ExtractTraceIdAndState(headers, static (carrier, name, out value, out values) =>
        {
            values = null;
            value = carrier is Headers h && h.TryGetLastBytes(name, out var bytes) && bytes is not null ? Encoding.UTF8.GetString(bytes) : null;
        }, out var traceParent, out var traceState);
        return traceParent is not null && ActivityContext.TryParse(traceParent, traceState, isRemote: true, out var context) ? context : default;
    }

    private static bool IsTraceHeader(string name) =>
        name is "traceparent" or "tracestate" or "baggage";
}
