using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Attest.Hooks.Tests.ExitCodes;

/// <summary>
/// A local HTTP listener that takes every request and answers it only after <c>delay</c> (a verifier stuck
/// behind an overloaded database, a black-holing proxy). Counts the requests it saw.
/// </summary>
internal sealed class SlowService : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeSpan _delay;
    private readonly Task _accepting;
    private int _requests;

    public SlowService(TimeSpan delay)
    {
        _delay = delay;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public int Requests => Volatile.Read(ref _requests);

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = AnswerLateAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task AnswerLateAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var buffer = new byte[8192];
                if (await stream.ReadAsync(buffer, _stop.Token) > 0)
                {
                    Interlocked.Increment(ref _requests);
                }

                await Task.Delay(_delay, _stop.Token);
                var body = "{\"code\":\"late\",\"detail\":\"too late\"}";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n{body}"), _stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
            {
                // The hook gave up on us: that is the point.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
