using System.Net;
using System.Net.Sockets;

namespace Backfill.Testing;

/// <summary>Ports on 127.0.0.1 that nothing listens on, for processes that must be told their port up front.</summary>
internal static class FreePorts
{
    /// <summary>A port the system just handed out and took back; another process could take it first, rarely.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
