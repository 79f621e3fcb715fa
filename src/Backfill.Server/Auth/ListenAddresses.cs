using System.Net;

namespace Backfill.Server.Auth;

/// <summary>Whether a server is reachable from this machine only: every address it listens on is a loopback one.</summary>
public static class ListenAddresses
{
    /// <param name="addresses">As Kestrel reports them once started, e.g. <c>http://127.0.0.1:5080</c>, <c>http://[::1]:5080</c>.</param>
    /// <returns>False for none, a wildcard (<c>0.0.0.0</c>, <c>[::]</c>, <c>*</c>, <c>+</c>), a host name other than <c>localhost</c>, or any non-loopback address.</returns>
    public static bool AreLoopbackOnly(IEnumerable<string> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        var any = false;
        foreach (var address in addresses)
        {
            any = true;
            if (!IsLoopback(address))
            {
                return false;
            }
        }

        return any;
    }

    private static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri))
        {
            return false;
        }

        var host = uri.Host.Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }
}
