using Attest.Tpm.Algorithms;
using Attest.Tpm.Client;
using Attest.Tpm.Client.Transport;
using Attest.Tpm.Tests.Swtpm;

namespace Attest.Tpm.Tests.Client;

/// <summary>"Reboot the simulated node": the fixture's restart is a TPM Reset with the same state.</summary>
public sealed class SwtpmRestartTests
{
    [SwtpmFact]
    public async Task Restart_is_a_TPM_reset_that_keeps_the_EK_and_clears_PCRs_and_transient_objects()
    {
        await using var swtpm = await SwtpmInstance.StartAsync();
        TpmTimeInfo before;
        byte[] ekName;
        uint transient;
        await using (var tpm = swtpm.OpenClient())
        {
            before = await tpm.ReadClockAsync();
            ekName = (await tpm.ReadPublicAsync(TpmHandles.EkPersistentRsa2048)).Name;
            await tpm.PcrExtendAsync(16, new Dictionary<TpmAlgId, byte[]> { [TpmAlgId.Sha256] = new byte[32] });
            transient = (await tpm.CreatePrimaryAsync(TpmHandles.Owner, KeyTemplates.SrkEccP256())).Handle;
        }

        await swtpm.RestartAsync();

        await using (var tpm = swtpm.OpenClient())
        {
            var after = await tpm.ReadClockAsync();
            Assert.Equal(before.ResetCount + 1, after.ResetCount);
            Assert.Equal(ekName, (await tpm.ReadPublicAsync(TpmHandles.EkPersistentRsa2048)).Name);
            Assert.Equal(new byte[32], (await tpm.PcrReadAsync(Pcr.Of(TpmAlgId.Sha256, 16)))[TpmAlgId.Sha256, 16]);
            var ex = await Assert.ThrowsAsync<TpmResponseException>(() => tpm.ReadPublicAsync(transient));
            Assert.True(ex.Name is "TPM_RC_REFERENCE_H0" or "TPM_RC_HANDLE", ex.Message); // the object is gone with the reset
        }
    }

    [SwtpmFact]
    public async Task A_client_connected_across_a_restart_fails_once_then_reconnects()
    {
        await using var swtpm = await SwtpmInstance.StartAsync();
        await using var tpm = swtpm.OpenClient();
        await tpm.GetRandomAsync(8);

        await swtpm.RestartAsync();

        // The old connection is dead; the transport reports that and opens a new one next time.
        var first = await Record.ExceptionAsync(() => tpm.GetRandomAsync(8));
        Assert.True(first is null or TpmTransportException, first?.ToString());
        Assert.Equal(8, (await tpm.GetRandomAsync(8)).Length);
    }

    [SwtpmFact]
    public async Task Instances_are_independent_and_cleaned_up_on_dispose()
    {
        var a = await SwtpmInstance.StartAsync();
        var b = await SwtpmInstance.StartAsync();
        try
        {
            Assert.NotEqual(a.Port, b.Port);
            Assert.Equal($"swtpm:host=127.0.0.1,port={a.Port}", a.Tcti);
            Assert.Equal($"swtpm:127.0.0.1:{a.Port}", a.TpmSpec);
            Assert.Equal(a.RootCaCertificatePath, b.RootCaCertificatePath);
            Assert.True(File.Exists(a.RootCaCertificatePath));
            Assert.True(File.Exists(a.IssuerCertificatePath));

            await using (var tpm = a.OpenClient())
            {
                await tpm.PcrExtendAsync(16, new Dictionary<TpmAlgId, byte[]> { [TpmAlgId.Sha256] = new byte[32] });
            }

            await using (var tpm = b.OpenClient())
            {
                Assert.Equal(new byte[32], (await tpm.PcrReadAsync(Pcr.Of(TpmAlgId.Sha256, 16)))[TpmAlgId.Sha256, 16]);
            }
        }
        finally
        {
            await a.DisposeAsync();
            await b.DisposeAsync();
        }

        Assert.False(Directory.Exists(a.Directory));
        await using var gone = TpmClient.Open(a.TpmSpec);
        await Assert.ThrowsAsync<TpmTransportException>(() => gone.GetRandomAsync(1));
    }
}
