using System.Buffers.Binary;
using System.Net.Sockets;

namespace Attest.Tpm.Client.Transport;

/// <summary>
/// swtpm's (and the Microsoft/IBM simulator's) TCP data port. Each command is framed as
/// <c>u32 TPM_SEND_COMMAND (8) | u8 locality | u32 length | command</c>; the simulator answers
/// <c>u32 length | response | u32 0</c>, all big-endian. The connection is opened lazily and kept:
/// swtpm serves one connection at a time, so dispose this transport before another client
/// (e.g. tpm2-tools) uses the same instance.
/// </summary>
public sealed class SwtpmSocketTransport : ITpmTransport
{
    private const uint TpmSendCommand = 8;
    private const uint TpmSessionEnd = 20;

    private readonly string _host;
    private readonly int _port;
    private readonly byte _locality;
    private readonly TimeSpan _connectTimeout;
    private readonly int _maxResponseSize;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private TcpClient? _client;
    private NetworkStream? _stream;
    private bool _disposed;

    /// <param name="host">Host name or address of swtpm's data port.</param>
    /// <param name="port">Data port (swtpm's <c>--server port=</c>).</param>
    /// <param name="locality">Locality the simulator should present the command at (0 for the OS).</param>
    /// <param name="connectTimeout">How long to wait for the TCP connection; default 5 s.</param>
    /// <param name="maxResponseSize">Responses claiming more bytes are refused; TPMs answer at most a few KiB.</param>
    public SwtpmSocketTransport(string host, int port, byte locality = 0, TimeSpan? connectTimeout = null, int maxResponseSize = 64 * 1024)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(locality, (byte)4);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResponseSize, 10);
        _host = host;
        _port = port;
        _locality = locality;
        _connectTimeout = connectTimeout ?? TimeSpan.FromSeconds(5);
        _maxResponseSize = maxResponseSize;
    }

    public string Description => $"swtpm {_host}:{_port}";

    public async Task<byte[]> ExecuteAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await ConnectAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await ExchangeAsync(stream, command, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or TpmTransportException)
            {
                // A half-sent or half-read frame leaves the stream out of step; start over next time.
                Disconnect();
                if (ex is OperationCanceledException or TpmTransportException)
                {
                    throw;
                }

                throw new TpmTransportException($"{Description}: {ex.Message}", ex);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private async Task<byte[]> ExchangeAsync(NetworkStream stream, ReadOnlyMemory<byte> command, CancellationToken cancellationToken)
    {
        var frame = new byte[9 + command.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, TpmSendCommand);
        frame[4] = _locality;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)command.Length);
        command.Span.CopyTo(frame.AsSpan(9));
        await stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);

        var word = new byte[4];
        await stream.ReadExactlyAsync(word, cancellationToken).ConfigureAwait(false);
        var length = BinaryPrimitives.ReadUInt32BigEndian(word);
        if (length < 10 || length > (uint)_maxResponseSize)
        {
            throw new TpmTransportException($"{Description}: response length {length} outside 10..{_maxResponseSize}");
        }

        var response = new byte[length];
        await stream.ReadExactlyAsync(response, cancellationToken).ConfigureAwait(false);
        await stream.ReadExactlyAsync(word, cancellationToken).ConfigureAwait(false);
        var ack = BinaryPrimitives.ReadUInt32BigEndian(word);
        if (ack != 0)
        {
            throw new TpmTransportException($"{Description}: simulator acknowledged with {ack}, expected 0");
        }

        return response;
    }

    private async Task<NetworkStream> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_stream is not null)
        {
            return _stream;
        }

        var client = new TcpClient { NoDelay = true };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_connectTimeout);
        try
        {
            await client.ConnectAsync(_host, _port, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw new TpmTransportException($"{Description}: no connection within {_connectTimeout.TotalSeconds:0.#} s");
        }
        catch (SocketException ex)
        {
            client.Dispose();
            throw new TpmTransportException($"{Description}: cannot connect: {ex.Message}", ex);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        _client = client;
        _stream = client.GetStream();
        return _stream;
    }

    private void Disconnect()
    {
        _stream?.Dispose();
        _client?.Dispose();
        _stream = null;
        _client = null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        await _lock.WaitAsync().ConfigureAwait(false);
        try
        {
            _disposed = true;
            if (_stream is not null)
            {
                // Tells the simulator this client is done so it accepts the next connection at once.
                var end = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(end, TpmSessionEnd);
                try
                {
                    await _stream.WriteAsync(end).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // Already gone: nothing to tell.
                }
            }

            Disconnect();
        }
        finally
        {
            _lock.Release();
            _lock.Dispose();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
