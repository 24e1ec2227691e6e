using System.Globalization;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Client;
using Attest.Tpm.Credentials;
using Attest.Tpm.Objects;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Tests.Swtpm;

namespace Attest.Tpm.Tests.Client;

/// <summary>
/// tpm2-tools as an independent implementation on the same swtpm, so a bug cannot hide in both our
/// client and our verifier. swtpm serves one connection at a time: every tool runs after our client
/// is disposed, never concurrently with it.
/// </summary>
public sealed partial class Tpm2ToolsCrossCheckTests(SwtpmFixture fixture) : IClassFixture<SwtpmFixture>, IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("attest-tpm2tools-").FullName;

    private SwtpmInstance Swtpm => fixture.Instance;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var (exit, output) = await Swtpm.RunTpm2ToolAsync(tool, arguments);
        Assert.True(exit == 0, $"{tool} {string.Join(' ', arguments)} exited {exit}:\n{output}");
        return output;
    }

    [Tpm2ToolsTheory]
    [InlineData("rsa")]
    [InlineData("p256")]
    [InlineData("p384")]
    public async Task A_quote_made_by_our_client_verifies_with_tpm2_checkquote(string kind)
    {
        var nonce = RandomNumberGenerator.GetBytes(32);
        var selection = new PcrSelection([new PcrBankSelection(TpmAlgId.Sha256, [0, 1, 7, 16]), new PcrBankSelection(TpmAlgId.Sha1, [0, 16])]);
        TpmPublic akPublic;
        TpmAttestation quote;
        PcrReadResult pcrs;
        await using (var tpm = Swtpm.OpenClient())
        {
            await tpm.PcrExtendAsync(16, new Dictionary<TpmAlgId, byte[]>
            {
                [TpmAlgId.Sha1] = TpmHash.Compute(TpmAlgId.Sha1, nonce),
                [TpmAlgId.Sha256] = TpmHash.Compute(TpmAlgId.Sha256, nonce),
                [TpmAlgId.Sha384] = TpmHash.Compute(TpmAlgId.Sha384, nonce),
            });
            var ak = await tpm.CreateAttestationKeyAsync(SwtpmCommandTests.AkTemplate(kind), KeyTemplates.SrkEccP256());
            quote = await tpm.QuoteAsync(ak.Handle, nonce, selection);
            pcrs = await tpm.PcrReadAsync(selection);
            await tpm.FlushContextAsync(ak.Handle);
            akPublic = ak.Public;
        }

        await File.WriteAllTextAsync(PathOf("ak.pem"), PemEncoding.WriteString("PUBLIC KEY", akPublic.ExportSubjectPublicKeyInfo()));
        await File.WriteAllBytesAsync(PathOf("quote.msg"), quote.Attest);
        await File.WriteAllBytesAsync(PathOf("quote.sig"), quote.Signature);

        // PCR values without selection info (tpm2_pcrread's "values" format), in -l order.
        await File.WriteAllBytesAsync(PathOf("pcrs.bin"), [.. selection.Banks.SelectMany(b => b.Indices.SelectMany(i => pcrs[b.Hash, i]))]);
        var hash = kind == "p384" ? "sha384" : "sha256";

        await RunAsync("tpm2_checkquote",
            "-u", PathOf("ak.pem"), "-m", PathOf("quote.msg"), "-s", PathOf("quote.sig"),
            "-f", PathOf("pcrs.bin"), "-l", selection.ToString(), "-g", hash, "-q", Convert.ToHexStringLower(nonce));

        // And the same tool refuses it with another nonce, so the success above means something.
        var wrongNonce = (byte[])nonce.Clone();
        wrongNonce[0] ^= 1;
        var (exit, _) = await Swtpm.RunTpm2ToolAsync("tpm2_checkquote",
            "-u", PathOf("ak.pem"), "-m", PathOf("quote.msg"), "-s", PathOf("quote.sig"),
            "-f", PathOf("pcrs.bin"), "-l", selection.ToString(), "-g", hash, "-q", Convert.ToHexStringLower(wrongNonce));
        Assert.NotEqual(0, exit);
    }

    [Tpm2ToolsFact]
    public async Task PCR_Read_matches_tpm2_pcrread_in_every_bank()
    {
        PcrReadResult ours;
        await using (var tpm = Swtpm.OpenClient())
        {
            await tpm.PcrExtendAsync(23, new Dictionary<TpmAlgId, byte[]>
            {
                [TpmAlgId.Sha1] = new byte[20],
                [TpmAlgId.Sha256] = new byte[32],
                [TpmAlgId.Sha384] = new byte[48],
            });
            ours = await tpm.PcrReadAllAsync();
        }

        var text = await RunAsync("tpm2_pcrread", "sha1:all+sha256:all+sha384:all");

        var theirs = ParsePcrRead(text);
        Assert.Equal(72, theirs.Count);
        foreach (var ((bank, index), value) in theirs)
        {
            Assert.Equal(Convert.ToHexString(value), Convert.ToHexString(ours[bank, index]));
        }
    }

    [Tpm2ToolsTheory]
    [InlineData("rsa2048", "rsa")]
    [InlineData("rsa2048", "p256")]
    [InlineData("p256", "p256")]
    [InlineData("p256", "rsa")]
    [InlineData("p384", "p384")]
    [InlineData("p384", "rsa")]
    public async Task A_tpm2_makecredential_blob_activates_with_our_client(string ekKind, string akKind)
    {
        var secret = RandomNumberGenerator.GetBytes(32);
        await using (var tpm = Swtpm.OpenClient())
        {
            var ek = await EkAsync(tpm, ekKind);
            var ak = await tpm.CreateAttestationKeyAsync(SwtpmCommandTests.AkTemplate(akKind), KeyTemplates.SrkEccP256());
            await tpm.DisposeAsync(); // hand swtpm to the tool (it keeps the loaded objects)

            // -u in tss form (TPM2B_PUBLIC): the tool then uses the EK's real nameAlg and symmetric
            // definition, where -G with a PEM would assume the SHA-256/AES-128 template.
            await File.WriteAllBytesAsync(PathOf("ek.pub"), ek.Public.MarshalSized());
            await File.WriteAllBytesAsync(PathOf("secret.bin"), secret);
            await RunAsync("tpm2_makecredential", "-T", "none", "-u", PathOf("ek.pub"), "-s", PathOf("secret.bin"),
                "-n", Convert.ToHexStringLower(ak.Name), "-o", PathOf("cred.blob"));
            var challenge = CredentialChallenge.FromTpm2ToolsFormat(await File.ReadAllBytesAsync(PathOf("cred.blob")));

            await using var again = Swtpm.OpenClient();
            try
            {
                var recovered = await again.ActivateCredentialWithEkAsync(ak.Handle, ek.Handle, challenge);
                Assert.Equal(secret, recovered);
            }
            finally
            {
                await again.FlushContextAsync(ak.Handle);
                if (TpmHandles.IsTransient(ek.Handle))
                {
                    await again.FlushContextAsync(ek.Handle);
                }
            }
        }
    }

    /// <summary>swtpm_setup's persistent RSA and P-384 EKs; the P-256 one (no such EK persisted) from template L-2.</summary>
    private static async Task<ObjectPublic> EkAsync(TpmClient tpm, string kind)
    {
        switch (kind)
        {
            case "rsa2048":
                return await tpm.ReadPublicAsync(TpmHandles.EkPersistentRsa2048);
            case "p384":
                return await tpm.ReadPublicAsync(TpmHandles.EkPersistentEccP384);
            default:
                var created = await tpm.CreatePrimaryAsync(TpmHandles.Endorsement, KeyTemplates.EkEccP256());
                return new ObjectPublic(created.Handle, created.Public, created.Name, []);
        }
    }

    /// <summary>tpm2_pcrread's YAML-like output: a bank line, then "  N : 0xHEX" lines.</summary>
    private static Dictionary<(TpmAlgId Bank, int Index), byte[]> ParsePcrRead(string text)
    {
        var result = new Dictionary<(TpmAlgId, int), byte[]>();
        var bank = TpmAlgId.Error;
        foreach (var line in text.Split('\n'))
        {
            var bankMatch = BankLine().Match(line);
            if (bankMatch.Success && TpmAlgNames.TryParseHash(bankMatch.Groups[1].Value, out var parsed))
            {
                bank = parsed;
                continue;
            }

            var valueMatch = ValueLine().Match(line);
            if (valueMatch.Success)
            {
                result[(bank, int.Parse(valueMatch.Groups[1].Value, CultureInfo.InvariantCulture))] = Convert.FromHexString(valueMatch.Groups[2].Value);
            }
        }

        return result;
    }

    [GeneratedRegex(@"^\s+(sha\d+):\s*$")]
    private static partial Regex BankLine();

    [GeneratedRegex(@"^\s+(\d+)\s*:\s*0x([0-9A-Fa-f]+)\s*$")]
    private static partial Regex ValueLine();
}
