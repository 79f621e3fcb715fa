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

    /// <summary>True for <c>localhost</c> and loopback addresses (<c>127.0.0.1</c>, <c>[::1]</c>), as a URL or <c>Host</c> header names them.</summary>
    public static bool IsLoopbackHost(string? host)
    {
        var name = (host ?? "").Trim('[', ']');
        return string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var ip) && IPAddress.IsLoopback(ip));
    }

    private static bool IsLoopback(string address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var uri) && IsLoopbackHost(uri.Host);
}
