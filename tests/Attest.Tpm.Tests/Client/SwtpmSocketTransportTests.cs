using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Attest.Tpm.Client.Transport;

namespace Attest.Tpm.Tests.Client;

/// <summary>The simulator framing against a scripted server: what a broken or hostile peer gets.</summary>
public sealed class SwtpmSocketTransportTests
{
    /// <summary>Accepts one connection, reads one framed command, and answers with <paramref name="reply"/>.</summary>
    private static (int Port, Task<byte[]> Received) Serve(Func<byte[], byte[]> reply)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = Task.Run(async () =>
        {
            try
            {
                using var client = await listener.AcceptTcpClientAsync();
                var stream = client.GetStream();
                var header = new byte[9];
                await stream.ReadExactlyAsync(header);
                var command = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5))];
                await stream.ReadExactlyAsync(command);
                await stream.WriteAsync(reply(command));
                await stream.FlushAsync();
                await Task.Delay(200);
                return (byte[])[.. header, .. command];
            }
            finally
            {
                listener.Stop();
            }
        });
        return (port, received);
    }

    private static byte[] Word(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    [Fact]
    public async Task A_command_is_framed_with_TPM_SEND_COMMAND_locality_and_length()
    {
        var response = Convert.FromHexString("80010000000A00000000");
        var (port, received) = Serve(_ => [.. Word(10), .. response, .. Word(0)]);
        await using var transport = new SwtpmSocketTransport("127.0.0.1", port, locality: 3);

        var answer = await transport.ExecuteAsync(Convert.FromHexString("80010000000C0000017B0010"));

        Assert.Equal(response, answer);
        Assert.Equal(Convert.FromHexString("00000008" + "03" + "0000000C" + "80010000000C0000017B0010"), await received);
    }

    [Fact]
    public async Task A_response_length_above_the_cap_is_refused_before_reading_it()
    {
        var (port, _) = Serve(_ => Word(0x7FFFFFFF));
        await using var transport = new SwtpmSocketTransport("127.0.0.1", port, maxResponseSize: 4096);

        var ex = await Assert.ThrowsAsync<TpmTransportException>(() => transport.ExecuteAsync(new byte[10]));
        Assert.Contains("outside 10..4096", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_zero_acknowledgement_is_a_transport_error()
    {
        var (port, _) = Serve(_ => [.. Word(10), .. Convert.FromHexString("80010000000A00000000"), .. Word(1)]);
        await using var transport = new SwtpmSocketTransport("127.0.0.1", port);

        await Assert.ThrowsAsync<TpmTransportException>(() => transport.ExecuteAsync(new byte[10]));
    }

    [Fact]
    public async Task A_connection_closed_mid_response_is_a_transport_error()
    {
        var (port, _) = Serve(_ => [.. Word(100), 0x80, 0x01]);
        await using var transport = new SwtpmSocketTransport("127.0.0.1", port);

        await Assert.ThrowsAsync<TpmTransportException>(() => transport.ExecuteAsync(new byte[10]));
    }

    [Fact]
    public async Task Nothing_listening_is_a_transport_error_naming_the_endpoint()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        await using var transport = new SwtpmSocketTransport("127.0.0.1", port, connectTimeout: TimeSpan.FromSeconds(2));

        var ex = await Assert.ThrowsAsync<TpmTransportException>(() => transport.ExecuteAsync(new byte[10]));
        Assert.Contains($"127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unroutable_address_times_out_within_the_connect_timeout()
    {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never routed, so the SYN goes unanswered (or is refused at once).
        await using var transport = new SwtpmSocketTransport("192.0.2.1", 2321, connectTimeout: TimeSpan.FromMilliseconds(300));
        var watch = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAsync<TpmTransportException>(() => transport.ExecuteAsync(new byte[10]));

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), watch.Elapsed.ToString());
    }
}
