namespace Attest.Tpm.Client.Transport;

/// <summary>
/// Carries one marshaled TPM command to a TPM and returns its complete response. A transport
/// runs one command at a time; concurrent callers are queued, never interleaved.
/// </summary>
public interface ITpmTransport : IAsyncDisposable, IDisposable
{
    /// <summary>A short description for error messages (e.g. <c>swtpm 127.0.0.1:2321</c>).</summary>
    string Description { get; }

    /// <summary>Sends <paramref name="command"/> and returns the whole response (header included).</summary>
    /// <exception cref="TpmTransportException">The TPM could not be reached or broke the framing.</exception>
    Task<byte[]> ExecuteAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default);
}

/// <summary>The TPM could not be reached, or the channel to it broke (not a TPM response code).</summary>
public sealed class TpmTransportException : Exception
{
    public TpmTransportException()
    {
    }

    public TpmTransportException(string message)
        : base(message)
    {
    }

    public TpmTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
