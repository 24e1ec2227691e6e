using System.Net;
using System.Net.Sockets;

namespace Attest.Hooks.Tests.Stack;

internal static class FreePort
{
    /// <summary>A loopback port free right now (the OS picks it; a tiny race with other processes is accepted).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
