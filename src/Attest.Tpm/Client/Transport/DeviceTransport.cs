namespace Attest.Tpm.Client.Transport;

/// <summary>
/// A Linux TPM character device, normally the kernel resource manager <c>/dev/tpmrm0</c>
/// (with <c>/dev/tpm0</c> the caller owns the TPM exclusively and must flush what it loads).
/// The kernel takes a whole command per write and hands back a whole response per read.
/// </summary>
public sealed class DeviceTransport : ITpmTransport
{
    private readonly string _path;
    private readonly int _maxResponseSize;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private FileStream? _stream;
    private bool _disposed;

    public DeviceTransport(string path = "/dev/tpmrm0", int maxResponseSize = 64 * 1024)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResponseSize, 10);
        _path = path;
        _maxResponseSize = maxResponseSize;
    }

    public string Description => _path;

    public async Task<byte[]> ExecuteAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = Open();
            try
            {
                // No buffering and no async I/O flag: a character device needs the command in one
                // write(2) and the response in one read(2), which a buffered/overlapped stream may split.
                await stream.WriteAsync(command, cancellationToken).ConfigureAwait(false);
                var buffer = new byte[_maxResponseSize];
                var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read < 10)
                {
                    throw new TpmTransportException($"{_path}: short response of {read} byte(s)");
                }

                return buffer.AsSpan(0, read).ToArray();
            }
            catch (IOException ex)
            {
                throw new TpmTransportException($"{_path}: {ex.Message}", ex);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    private FileStream Open()
    {
        if (_stream is not null)
        {
            return _stream;
        }

        try
        {
            _stream = new FileStream(_path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0, FileOptions.None);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TpmTransportException($"cannot open {_path}: {ex.Message}", ex);
        }

        return _stream;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_stream is not null)
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }

        _lock.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();
}
