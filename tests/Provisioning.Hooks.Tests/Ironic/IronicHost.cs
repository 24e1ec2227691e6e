using Attest.Hooks.Tests.Stack;

namespace Attest.Hooks.Tests.Ironic;

/// <summary>
/// One Ironic for the Ironic tests, started on first use against the collection's Attest services. An
/// <see cref="IAsyncLifetime"/>, not just IAsyncDisposable: xunit 2 disposes class fixtures only through
/// IDisposable/IAsyncLifetime, and an undisposed fixture leaves Ironic running after the test run.
/// </summary>
public sealed class IronicHost : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IronicStandalone? _ironic;
    private Exception? _failed;

    public async Task<IronicStandalone> GetAsync(AttestServices services)
    {
        await _gate.WaitAsync();
        try
        {
            // One attempt: when Ironic does not start, every test says why without paying for another start.
            if (_failed is not null)
            {
                throw new InvalidOperationException("Ironic did not start", _failed);
            }

            try
            {
                return _ironic ??= await IronicStandalone.StartAsync(services);
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
            {
                _failed = ex;
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_ironic is not null)
        {
            await _ironic.DisposeAsync();
        }

        _gate.Dispose();
    }
}
