using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Attestation;
using Attest.Tpm.Client;
using Attest.Tpm.Crypto;
using Attest.Tpm.Objects;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Quotes;
using Attest.Tpm.Signatures;
using Attest.Tpm.Tests.Client;
using Attest.Tpm.Tests.Swtpm;

namespace Attest.Tpm.Tests.Quotes;

/// <summary>
/// Quote verification on quotes a TPM made: swtpm through our client, and swtpm through tpm2-tools (an independent
/// implementation), each tampered one field at a time.
/// </summary>
public sealed class QuoteSwtpmTests(SwtpmFixture fixture) : IClassFixture<SwtpmFixture>, IDisposable
{
    private static readonly PcrSelection Selection = new([
        new PcrBankSelection(TpmAlgId.Sha256, [0, 1, 2, 3, 4, 5, 6, 7, 16]),
        new PcrBankSelection(TpmAlgId.Sha384, [0, 16]),
    ]);

    private readonly string _dir = Directory.CreateTempSubdirectory("attest-quote-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record TpmQuote(TpmPublic Ak, byte[] Attest, byte[] Signature, PcrValues Values, byte[] Nonce);

    private async Task<TpmQuote> QuoteWithOurClientAsync(string kind)
    {
        var nonce = RandomNumberGenerator.GetBytes(32);
        await using var tpm = fixture.Instance.OpenClient();
        await tpm.PcrExtendAsync(16, new Dictionary<TpmAlgId, byte[]>
        {
            [TpmAlgId.Sha256] = TpmHash.Compute(TpmAlgId.Sha256, nonce),
            [TpmAlgId.Sha384] = TpmHash.Compute(TpmAlgId.Sha384, nonce),
        });
        var ak = await tpm.CreateAttestationKeyAsync(SwtpmCommandTests.AkTemplate(kind), KeyTemplates.SrkEccP256());
        var quote = await tpm.QuoteAsync(ak.Handle, nonce, Selection);
        var pcrs = await tpm.PcrReadAsync(Selection);
        await tpm.FlushContextAsync(ak.Handle);
        return new TpmQuote(ak.Public, quote.Attest, quote.Signature, pcrs.Values, nonce);
    }

    private static QuoteVerificationResult Verify(TpmQuote quote, byte[]? attest = null, byte[]? signature = null, byte[]? nonce = null, PcrValues? values = null, PcrSelection? selection = null)
    {
        using var key = VerificationKey.FromTpmPublic(quote.Ak);
        return QuoteVerifier.Verify(key, attest ?? quote.Attest, signature ?? quote.Signature, new QuoteExpectation
        {
            Nonce = nonce ?? quote.Nonce,
            Selection = selection ?? Selection,
            PcrValues = values ?? quote.Values,
        }, CryptoProfile.Fips);
    }

    [SwtpmTheory]
    [InlineData("rsa")]
    [InlineData("p256")]
    [InlineData("p384")]
    public async Task Quote_from_swtpm_verifies_under_the_fips_profile(string kind)
    {
        var quote = await QuoteWithOurClientAsync(kind);

        var result = Verify(quote);

        Assert.True(result.Passed, string.Join("; ", result.Failures));
        Assert.Equal(Selection, result.Quote!.PcrSelection);
    }

    [SwtpmTheory]
    [InlineData("quote", QuoteFailureCodes.SignatureInvalid)]
    [InlineData("signature", QuoteFailureCodes.SignatureInvalid)]
    [InlineData("nonce", QuoteFailureCodes.NonceMismatch)]
    [InlineData("pcr", QuoteFailureCodes.PcrDigestMismatch)]
    [InlineData("selection", QuoteFailureCodes.PcrSelectionMismatch)]
    public async Task One_flipped_byte_gives_its_own_failure_code(string field, string expectedCode)
    {
        var quote = await QuoteWithOurClientAsync("p256");
        var attest = (byte[])quote.Attest.Clone();
        var signature = (byte[])quote.Signature.Clone();
        var nonce = (byte[])quote.Nonce.Clone();
        var values = quote.Values;
        var selection = Selection;
        switch (field)
        {
            case "quote":
                attest[^1] ^= 0x01; // last byte of the PCR digest: the structure still parses
                break;
            case "signature":
                signature[^1] ^= 0x01;
                break;
            case "nonce":
                nonce[5] ^= 0x01;
                break;
            case "pcr":
                values = new PcrValues();
                foreach (var bank in Selection.Banks)
                {
                    foreach (var (index, value) in quote.Values.Bank(bank.Hash))
                    {
                        var copy = (byte[])value.Clone();
                        if (bank.Hash == TpmAlgId.Sha256 && index == 4)
                        {
                            copy[0] ^= 0x01;
                        }

                        values.Set(bank.Hash, index, copy);
                    }
                }

                break;
            case "selection":
                selection = new PcrSelection([new PcrBankSelection(TpmAlgId.Sha256, [0, 1, 2, 3, 4, 5, 6, 7, 15]), Selection.Banks[1]]);
                break;
        }

        var result = Verify(quote, attest, signature, nonce, values, selection);

        // A flipped quote byte inside the PCR digest also breaks the digest check; the signature failure comes first.
        Assert.Equal(expectedCode, result.Failures[0].Code);
        Assert.True(field == "quote" || result.Failures.Count == 1, string.Join("; ", result.Failures));
    }

    [Tpm2ToolsTheory]
    [InlineData("rsa", "rsassa")]
    [InlineData("ecc", "ecdsa")]
    public async Task Quote_made_by_tpm2_tools_verifies(string algorithm, string scheme)
    {
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        string Path(string name) => System.IO.Path.Combine(_dir, name);
        async Task Run(string tool, params string[] args)
        {
            var (exit, output) = await fixture.Instance.RunTpm2ToolAsync(tool, args);
            Assert.True(exit == 0, $"{tool} failed: {output}");
            await fixture.Instance.RunTpm2ToolAsync("tpm2_flushcontext", "-t");
            await fixture.Instance.RunTpm2ToolAsync("tpm2_flushcontext", "-s");
        }

        await Run("tpm2_createek", "-c", Path("ek.ctx"), "-G", algorithm, "-u", Path("ek.pub"));
        await Run("tpm2_createak", "-C", Path("ek.ctx"), "-c", Path("ak.ctx"), "-G", algorithm, "-g", "sha256", "-s", scheme, "-u", Path("ak.pub"), "-n", Path("ak.name"), "-f", "tss");
        await Run("tpm2_quote", "-c", Path("ak.ctx"), "-l", "sha256:0,1,2,3,4,5,6,7,16+sha384:0,16", "-q", nonce, "-m", Path("quote.msg"), "-s", Path("quote.sig"), "-g", "sha256");
        PcrValues values;
        await using (var tpm = fixture.Instance.OpenClient())
        {
            values = (await tpm.PcrReadAsync(Selection)).Values;
        }

        var ak = TpmPublic.ParseSized(await File.ReadAllBytesAsync(Path("ak.pub")));
        var quote = new TpmQuote(ak, await File.ReadAllBytesAsync(Path("quote.msg")), await File.ReadAllBytesAsync(Path("quote.sig")), values, Convert.FromHexString(nonce));

        var result = Verify(quote);

        Assert.True(result.Passed, string.Join("; ", result.Failures));
        // The AK's Name as tpm2-tools computed it equals ours.
        Assert.Equal(await File.ReadAllBytesAsync(Path("ak.name")), ak.Name.ToArray());
    }

    [SwtpmFact]
    public async Task Certify_proof_of_a_key_verifies_and_names_the_key()
    {
        var nonce = RandomNumberGenerator.GetBytes(16);
        await using var tpm = fixture.Instance.OpenClient();
        var ak = await tpm.CreateAttestationKeyAsync(SwtpmCommandTests.AkTemplate("p256"), KeyTemplates.SrkEccP256());
        var other = await tpm.CreateAttestationKeyAsync(SwtpmCommandTests.AkTemplate("p384"), KeyTemplates.SrkEccP256());
        var certify = await tpm.CertifyAsync(other.Handle, ak.Handle, nonce);
        await tpm.FlushContextAsync(ak.Handle);
        await tpm.FlushContextAsync(other.Handle);
        using var signer = VerificationKey.FromTpmPublic(ak.Public);

        var genuine = CertifyVerifier.VerifyCertify(signer, certify.Attest, certify.Signature, other.Public, nonce, CryptoProfile.Fips);
        var wrongKey = CertifyVerifier.VerifyCertify(signer, certify.Attest, certify.Signature, ak.Public, nonce, CryptoProfile.Fips);

        Assert.True(genuine.Passed, string.Join("; ", genuine.Failures));
        Assert.Equal(["certify.name_mismatch"], wrongKey.Failures.Select(f => f.Code));
    }
}
