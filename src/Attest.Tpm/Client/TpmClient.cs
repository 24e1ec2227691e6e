using Attest.Tpm.Client.Transport;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Client;

/// <summary>
/// Node-side TPM 2.0 command client: marshals commands (TPM 2.0 Library Part 1 §18, Part 3),
/// sends them through an <see cref="ITpmTransport"/>, and parses the responses as untrusted bytes.
/// Commands are grouped by feature in the partial files <c>TpmClient.*.cs</c>.
/// </summary>
public sealed partial class TpmClient : IAsyncDisposable, IDisposable
{
    private const int HeaderSize = 10;
    private const int MaxRetries = 8;

    private readonly ITpmTransport _transport;
    private readonly bool _ownsTransport;
    private int _disposed;

    public TpmClient(ITpmTransport transport, bool ownsTransport = true)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transport = transport;
        _ownsTransport = ownsTransport;
    }

    /// <summary>Opens a client for a <c>--tpm</c> argument (see <see cref="TpmTransportFactory"/>).</summary>
    public static TpmClient Open(string tpm) => new(TpmTransportFactory.Create(tpm));

    public ITpmTransport Transport => _transport;

    /// <summary>
    /// Runs one command: builds the header, handle area, authorization area and parameters
    /// (Part 1 §18.2), and returns the response handles and parameter bytes after checking the
    /// response code and framing. Retries TPM_RC_RETRY/YIELDED/TESTING a few times.
    /// </summary>
    internal async Task<TpmResponse> ExecuteAsync(
        TpmCc command,
        ReadOnlyMemory<uint> handles,
        IReadOnlyList<TpmAuthSession>? sessions,
        ReadOnlyMemory<byte> parameters,
        int responseHandles,
        CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var bytes = Marshal(command, handles.Span, sessions, parameters.Span);
        for (var attempt = 0; ; attempt++)
        {
            var response = await _transport.ExecuteAsync(bytes, cancellationToken).ConfigureAwait(false);
            var code = ReadResponseCode(command, response);
            if (code.IsRetryable && attempt < MaxRetries)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10 << Math.Min(attempt, 6)), cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!code.IsSuccess)
            {
                throw new TpmResponseException(command, code);
            }

            return Unmarshal(command, response, sessions?.Count ?? 0, responseHandles);
        }
    }

    internal static byte[] Marshal(TpmCc command, ReadOnlySpan<uint> handles, IReadOnlyList<TpmAuthSession>? sessions, ReadOnlySpan<byte> parameters)
    {
        var hasSessions = sessions is { Count: > 0 };
        var writer = new TpmWriter(HeaderSize + (handles.Length * 4) + parameters.Length + 64);
        writer.WriteUInt16(hasSessions ? TpmSt.Sessions : TpmSt.NoSessions);
        writer.WriteUInt32(0); // commandSize, patched below
        writer.WriteUInt32((uint)command);
        foreach (var handle in handles)
        {
            writer.WriteUInt32(handle);
        }

        if (hasSessions)
        {
            var auth = new TpmWriter();
            foreach (var session in sessions!)
            {
                session.WriteAuthCommand(auth);
            }

            writer.WriteUInt32((uint)auth.Length); // authorizationSize (Part 1 §18.7)
            writer.WriteBytes(auth.WrittenSpan);
        }

        writer.WriteBytes(parameters);
        writer.PatchUInt32(2, (uint)writer.Length);
        return writer.ToArray();
    }

    private TpmResponseCode ReadResponseCode(TpmCc command, byte[] response)
    {
        var reader = new TpmReader(response);
        _ = reader.ReadUInt16("response.tag");
        var size = reader.ReadUInt32("response.responseSize");
        if (size != response.Length)
        {
            throw new TpmFormatException($"{command.Name()} response.responseSize", 2, $"says {size} byte(s) but {response.Length} were received from {_transport.Description}");
        }

        return new TpmResponseCode(reader.ReadUInt32("response.responseCode"));
    }

    /// <summary>Splits a successful response into handles and parameters (Part 1 §18.8, §18.10).</summary>
    internal static TpmResponse Unmarshal(TpmCc command, byte[] response, int sessionCount, int responseHandles)
    {
        var name = command.Name();
        var reader = new TpmReader(response);
        var tag = reader.ReadUInt16($"{name} response.tag");
        reader.Skip(8, $"{name} response header");
        var expectedTag = sessionCount > 0 ? TpmSt.Sessions : TpmSt.NoSessions;
        if (tag != expectedTag)
        {
            throw reader.Fail($"{name} response.tag", $"0x{tag:X4} where 0x{expectedTag:X4} was expected");
        }

        var handles = new uint[responseHandles];
        for (var i = 0; i < handles.Length; i++)
        {
            handles[i] = reader.ReadUInt32($"{name} response.handle[{i}]");
        }

        byte[] parameters;
        if (sessionCount > 0)
        {
            var parameterSize = reader.ReadUInt32($"{name} response.parameterSize");
            if (parameterSize > (uint)reader.Remaining)
            {
                throw reader.Fail($"{name} response.parameterSize", $"{parameterSize} exceeds the {reader.Remaining} byte(s) left");
            }

            parameters = reader.ReadBytes((int)parameterSize, $"{name} response.parameters").ToArray();

            // TPMS_AUTH_RESPONSE per session (Part 1 §18.10). Without HMAC sessions there is
            // nothing to verify, but the area must be well-formed and complete.
            for (var i = 0; i < sessionCount; i++)
            {
                _ = reader.ReadSized($"{name} response.auth[{i}].nonceTPM", 64);
                _ = reader.ReadUInt8($"{name} response.auth[{i}].sessionAttributes");
                _ = reader.ReadSized($"{name} response.auth[{i}].hmac", 64);
            }

            reader.ExpectEnd($"{name} response");
        }
        else
        {
            parameters = reader.Rest.ToArray();
        }

        return new TpmResponse(handles, parameters);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_ownsTransport)
        {
            await _transport.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private static readonly TpmAuthSession[] EmptyAuth = [PasswordSession.Empty];

    private static IReadOnlyList<TpmAuthSession> Auth(TpmAuthSession? session) => session is null ? EmptyAuth : [session];
}

/// <summary>A successful response: its handle area and its parameter area.</summary>
internal sealed record TpmResponse(uint[] Handles, byte[] Parameters);
