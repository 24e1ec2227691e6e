using Attest.Tpm.Client.Transport;

namespace Attest.Tpm.Tests.Client;

/// <summary>A scripted TPM: each command goes to <see cref="Respond"/>; the commands sent are recorded.</summary>
internal sealed class FakeTransport(Func<byte[], byte[]> respond) : ITpmTransport
{
    public List<byte[]> Commands { get; } = [];

    public Func<byte[], byte[]> Respond { get; } = respond;

    public string Description => "fake";

    public Task<byte[]> ExecuteAsync(ReadOnlyMemory<byte> command, CancellationToken cancellationToken = default)
    {
        var bytes = command.ToArray();
        Commands.Add(bytes);
        return Task.FromResult(Respond(bytes));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public void Dispose()
    {
    }
}
