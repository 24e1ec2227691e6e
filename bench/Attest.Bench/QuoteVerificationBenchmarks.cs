using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Crypto;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Quotes;
using Attest.Tpm.Signatures;
using Attest.Tpm.Tests.Support;
using BenchmarkDotNet.Attributes;

namespace Attest.Bench;

/// <summary>
/// Full quote verification as the verifier does it per attestation, with the AK already imported (it is cached per
/// registered AK): parse TPMS_ATTEST and TPMT_SIGNATURE, verify the signature, check nonce, selection and the PCR
/// digest over 11 SHA-256 PCRs. Compare with `openssl speed rsa2048 ecdsap256` on the same machine.
/// </summary>
[MemoryDiagnoser]
public class QuoteVerificationBenchmarks
{
    [Params("rsa2048", "p256")]
    public string Key { get; set; } = "rsa2048";

    private SoftwareAttestationKey _signer = null!;
    private VerificationKey _ak = null!;
    private byte[] _attest = [];
    private byte[] _signature = [];
    private QuoteExpectation _expectation = null!;

    [GlobalSetup]
    public void Setup()
    {
        _signer = Key == "rsa2048" ? SoftwareAttestationKey.CreateRsa() : SoftwareAttestationKey.CreateEcc(TpmEccCurve.NistP256);
        _ak = VerificationKey.FromTpmPublic(_signer.Public);
        var nonce = RandomNumberGenerator.GetBytes(32);
        var values = PcrFixtures.RandomValues(PcrFixtures.Boot);
        (_attest, _signature) = _signer.Quote(nonce, PcrFixtures.Boot, values);
        _expectation = new QuoteExpectation { Nonce = nonce, Selection = PcrFixtures.Boot, PcrValues = values };
        if (!Verify())
        {
            throw new InvalidOperationException("benchmark quote does not verify");
        }
    }

    [Benchmark]
    public bool Verify() => QuoteVerifier.Verify(_ak, _attest, _signature, _expectation, CryptoProfile.Fips).Passed;

    [GlobalCleanup]
    public void Cleanup()
    {
        _ak.Dispose();
        _signer.Dispose();
    }
}
