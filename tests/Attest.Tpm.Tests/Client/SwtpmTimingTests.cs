using System.Diagnostics;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Client;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Tests.Swtpm;
using Xunit.Abstractions;

namespace Attest.Tpm.Tests.Client;

public sealed class SwtpmTimingTests(ITestOutputHelper output)
{
    [SwtpmFact]
    public async Task Fixture_start_and_main_commands_are_fast_enough_to_run_per_test()
    {
        var watch = Stopwatch.StartNew();
        await using var swtpm = await SwtpmInstance.StartAsync();
        output.WriteLine($"first instance (incl. manufacture {swtpm.Manufacturer.ManufactureTime.TotalMilliseconds:0} ms): {watch.Elapsed.TotalMilliseconds:0} ms, process start {swtpm.LastStartTime.TotalMilliseconds:0} ms");
        watch.Restart();
        await using (var second = await SwtpmInstance.StartAsync())
        {
            output.WriteLine($"second instance: {watch.Elapsed.TotalMilliseconds:0} ms");
        }

        await using var tpm = swtpm.OpenClient();
        async Task<T> Time<T>(string what, Func<Task<T>> action)
        {
            var w = Stopwatch.StartNew();
            var result = await action();
            output.WriteLine($"{what}: {w.Elapsed.TotalMilliseconds:0.0} ms");
            return result;
        }

        await Time("GetRandom(32) first (connect)", () => tpm.GetRandomAsync(32));
        await Time("GetRandom(32)", () => tpm.GetRandomAsync(32));
        await Time("GetPcrBanks", () => tpm.GetPcrBanksAsync());
        await Time("PCR_Read 3 banks x 24", () => tpm.PcrReadAsync(Pcr.All(TpmAlgId.Sha1, TpmAlgId.Sha256, TpmAlgId.Sha384)));
        await Time("NV read RSA EK cert", () => tpm.ReadEkCertificateAsync(TpmHandles.EkCertificateRsa2048));
        var ekRsa = await Time("CreatePrimary EK RSA-2048 (L-1)", () => tpm.CreatePrimaryAsync(TpmHandles.Endorsement, KeyTemplates.EkRsa2048()));
        var ekP256 = await Time("CreatePrimary EK P-256 (L-2)", () => tpm.CreatePrimaryAsync(TpmHandles.Endorsement, KeyTemplates.EkEccP256()));
        await tpm.FlushContextAsync(ekRsa.Handle);
        await tpm.FlushContextAsync(ekP256.Handle);
        var ak = await Time("SRK + Create + Load AK RSA", () => tpm.CreateAttestationKeyAsync(KeyTemplates.AkRsa2048()));
        var akEcc = await Time("SRK + Create + Load AK P-256", () => tpm.CreateAttestationKeyAsync(KeyTemplates.AkEcc()));
        await Time("Quote RSA AK sha256 x 24", () => tpm.QuoteAsync(ak.Handle, new byte[32], Pcr.All(TpmAlgId.Sha256)));
        await Time("Quote P-256 AK sha256 x 24", () => tpm.QuoteAsync(akEcc.Handle, new byte[32], Pcr.All(TpmAlgId.Sha256)));
        var pub = await Time("ReadPublic", () => tpm.ReadPublicAsync(TpmHandles.EkPersistentRsa2048));
        await Time("StartAuthSession+PolicySecret+flush", async () =>
        {
            await using var s = await tpm.StartEkPolicySessionAsync(pub.Public);
            return 0;
        });
        var challenge = Attest.Tpm.Credentials.MakeCredential.Create(pub.Public, ak.Name, new byte[32]);
        await Time("ActivateCredential with RSA EK (ReadPublic+session+policy+activate+flush)", () => tpm.ActivateCredentialWithEkAsync(ak.Handle, TpmHandles.EkPersistentRsa2048, challenge));
        await Time("PCR_Extend 3 banks", async () =>
        {
            await tpm.PcrExtendAsync(16, new Dictionary<TpmAlgId, byte[]> { [TpmAlgId.Sha1] = new byte[20], [TpmAlgId.Sha256] = new byte[32], [TpmAlgId.Sha384] = new byte[48] });
            return 0;
        });
        await tpm.FlushContextAsync(ak.Handle);
        await tpm.FlushContextAsync(akEcc.Handle);
        await tpm.DisposeAsync();

        watch.Restart();
        await swtpm.RestartAsync();
        output.WriteLine($"restart (orderly stop + start): {watch.Elapsed.TotalMilliseconds:0} ms");
        await using var afterRestart = swtpm.OpenClient();
        Assert.Single(await afterRestart.GetRandomAsync(1));
    }
}
