using System.Security.Cryptography;
using Attest.Tpm.Credentials;
using Attest.Tpm.Objects;
using Attest.Tpm.Tests.Swtpm;

namespace Attest.Tpm.Tests.Credentials;

/// <summary>Our MakeCredential, activated by tpm2-tools' ActivateCredential on swtpm (an independent TPM-side implementation).</summary>
public sealed class CredentialSwtpmTests(SwtpmFixture fixture) : IClassFixture<SwtpmFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("attest-credential-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Tpm2ToolsTheory]
    [InlineData("rsa")]
    [InlineData("ecc")]
    public async Task Our_credential_activates_with_tpm2_activatecredential(string algorithm)
    {
        string Path(string name) => System.IO.Path.Combine(_dir, name);
        async Task<string> Run(string tool, params string[] args)
        {
            var (exit, output) = await fixture.Instance.RunTpm2ToolAsync(tool, args);
            Assert.True(exit == 0, $"{tool} failed: {output}");
            return output;
        }

        async Task Flush()
        {
            await fixture.Instance.RunTpm2ToolAsync("tpm2_flushcontext", "-t");
            await fixture.Instance.RunTpm2ToolAsync("tpm2_flushcontext", "-s");
        }

        await Run("tpm2_createek", "-c", Path("ek.ctx"), "-G", algorithm, "-u", Path("ek.pub"));
        await Flush();
        await Run("tpm2_createak", "-C", Path("ek.ctx"), "-c", Path("ak.ctx"), "-G", algorithm, "-u", Path("ak.pub"), "-n", Path("ak.name"), "-f", "tss");
        await Flush();
        var ek = TpmPublic.ParseSized(await File.ReadAllBytesAsync(Path("ek.pub")));
        var akName = await File.ReadAllBytesAsync(Path("ak.name"));
        var secret = RandomNumberGenerator.GetBytes(32);

        var challenge = MakeCredential.Create(ek, akName, secret);
        await File.WriteAllBytesAsync(Path("cred.bin"), challenge.ToTpm2ToolsFormat());

        await Run("tpm2_startauthsession", "--policy-session", "-S", Path("session.ctx"));
        await Run("tpm2_policysecret", "-S", Path("session.ctx"), "-c", "e");
        await Run("tpm2_activatecredential", "-c", Path("ak.ctx"), "-C", Path("ek.ctx"), "-i", Path("cred.bin"), "-o", Path("secret.out"), "-P", "session:" + Path("session.ctx"));
        await Run("tpm2_flushcontext", Path("session.ctx"));
        await Flush();
        Assert.Equal(secret, await File.ReadAllBytesAsync(Path("secret.out")));
    }
}
