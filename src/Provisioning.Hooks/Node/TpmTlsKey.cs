using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Tpm.Client;
using Attest.Tpm.Objects;

namespace Attest.Hooks.Node;

/// <summary>
/// A TLS key that lives in the TPM: created under the SRK, certified by the AK with TPM2_Certify (so the verifier
/// knows it cannot be copied off the machine), and signing its own CSR with TPM2_Sign.
/// </summary>
public sealed record TpmTlsKey(TpmPublic Public, byte[] Private, TpmAttestation Certification, byte[] Csr)
{
    // AlgorithmIdentifier { ecdsa-with-SHA256 } (RFC 5758 §3.2).
    private static readonly byte[] EcdsaWithSha256 = Convert.FromHexString("300A06082A8648CE3D040302");

    /// <param name="qualifyingData">What the verifier expects in the certification: the attestation id being redeemed.</param>
    public static async Task<TpmTlsKey> CreateAsync(TpmClient tpm, NodeState state, string subject, byte[] qualifyingData, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tpm);
        ArgumentNullException.ThrowIfNull(state);
        var srk = await tpm.CreatePrimaryAsync(TpmHandles.Owner, KeyTemplates.SrkEccP256(), cancellationToken: ct);
        try
        {
            var created = await tpm.CreateAsync(srk.Handle, AgentKeyTemplates.TlsKeyEccP256(), cancellationToken: ct);
            var key = await tpm.LoadAsync(srk.Handle, created.PrivateBlob, created.Public, cancellationToken: ct);
            var ak = await tpm.LoadAsync(srk.Handle, state.AkPrivate, TpmPublic.ParseSized(state.AkPublic), cancellationToken: ct);
            try
            {
                var certification = await tpm.CertifyAsync(key.Handle, ak.Handle, qualifyingData, cancellationToken: ct);
                var csr = await SignCsrAsync(tpm, key.Handle, created.Public, subject, ct);
                return new TpmTlsKey(created.Public, created.PrivateBlob, certification, csr);
            }
            finally
            {
                await tpm.FlushContextAsync(ak.Handle, CancellationToken.None);
                await tpm.FlushContextAsync(key.Handle, CancellationToken.None);
            }
        }
        finally
        {
            await tpm.FlushContextAsync(srk.Handle, CancellationToken.None);
        }
    }

    /// <summary>
    /// .NET's request builder signs synchronously; the TPM is asynchronous. The to-be-signed bytes are deterministic,
    /// so build once to learn them, sign them in the TPM, and build again with that signature.
    /// </summary>
    private static async Task<byte[]> SignCsrAsync(TpmClient tpm, uint keyHandle, TpmPublic publicArea, string subject, CancellationToken ct)
    {
        using var ecPublic = publicArea.CreateECDsa();
        var request = new CertificateRequest(new X500DistinguishedName(subject), new PublicKey(ecPublic), HashAlgorithmName.SHA256);
        var capture = new FixedSignatureGenerator(new PublicKey(ecPublic), EcdsaWithSha256, []);
        request.CreateSigningRequest(capture);
        var digest = SHA256.HashData(capture.SignedData ?? throw new InvalidOperationException("nothing to sign"));
        var signature = await tpm.SignAsync(keyHandle, digest, cancellationToken: ct);
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(Minimal(signature.R.Span));
            writer.WriteIntegerUnsigned(Minimal(signature.S.Span));
        }

        var final = new FixedSignatureGenerator(new PublicKey(ecPublic), EcdsaWithSha256, writer.Encode());
        var csr = request.CreateSigningRequest(final);
        return final.SignedData.AsSpan().SequenceEqual(capture.SignedData) ? csr
            : throw new InvalidOperationException("the CSR changed between building and signing");
    }

    /// <summary>
    /// The TPM returns r and s at the curve's full size, so one in 256 has a leading zero byte; DER integers must be
    /// minimal (X.690 §8.3.2), and strict verifiers refuse a padded one.
    /// </summary>
    public static ReadOnlySpan<byte> Minimal(ReadOnlySpan<byte> unsigned)
    {
        var start = 0;
        while (start < unsigned.Length - 1 && unsigned[start] == 0)
        {
            start++;
        }

        return unsigned[start..];
    }

    private sealed class FixedSignatureGenerator(PublicKey publicKey, byte[] algorithm, byte[] signature) : X509SignatureGenerator
    {
        public byte[]? SignedData { get; private set; }

        public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) => algorithm;

        public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm)
        {
            SignedData = data;
            return signature;
        }

        protected override PublicKey BuildPublicKey() => publicKey;
    }
}
