using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Attestation;
using Attest.Tpm.Objects;
using Attest.Tpm.Pcrs;

namespace Attest.Tpm.Tests.Support;

/// <summary>
/// An attestation key held in software, producing TPM-format quotes. It stands in for a TPM only where a test or
/// benchmark needs many quotes or keys a TPM cannot make (RSA-1024, odd curves); the TPM-backed tests use swtpm.
/// </summary>
public sealed class SoftwareAttestationKey : IDisposable
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;

    private SoftwareAttestationKey(RSA? rsa, ECDsa? ecdsa, TpmPublic tpmPublic, TpmAlgId hash)
    {
        _rsa = rsa;
        _ecdsa = ecdsa;
        Public = tpmPublic;
        Hash = hash;
    }

    public TpmPublic Public { get; }

    public TpmAlgId Hash { get; }

    public static ObjectAttributes AkAttributes => ObjectAttributes.FixedTpm | ObjectAttributes.FixedParent
        | ObjectAttributes.SensitiveDataOrigin | ObjectAttributes.UserWithAuth | ObjectAttributes.Restricted | ObjectAttributes.Sign;

    public static SoftwareAttestationKey CreateRsa(int bits = 2048, TpmAlgId hash = TpmAlgId.Sha256, TpmAlgId scheme = TpmAlgId.RsaSsa)
    {
        var rsa = RSA.Create(bits);
        var parameters = rsa.ExportParameters(false);
        var tpmPublic = new TpmPublic
        {
            Type = TpmAlgId.Rsa,
            NameAlg = TpmAlgId.Sha256,
            Attributes = AkAttributes,
            Parameters = new RsaParameters(SymmetricDefinition.Null, new Scheme(scheme, hash), (ushort)bits, 0),
            Unique = parameters.Modulus,
        };
        return new SoftwareAttestationKey(rsa, null, tpmPublic, hash);
    }

    public static SoftwareAttestationKey CreateEcc(TpmEccCurve curve = TpmEccCurve.NistP256, TpmAlgId hash = TpmAlgId.Sha256)
    {
        var ecdsa = ECDsa.Create(EccCurves.ToDotNet(curve));
        var q = ecdsa.ExportParameters(false).Q;
        var tpmPublic = new TpmPublic
        {
            Type = TpmAlgId.Ecc,
            NameAlg = TpmAlgId.Sha256,
            Attributes = AkAttributes,
            Parameters = new EccParameters(SymmetricDefinition.Null, new Scheme(TpmAlgId.Ecdsa, hash), curve, Scheme.Null),
            EccX = q.X,
            EccY = q.Y,
        };
        return new SoftwareAttestationKey(null, ecdsa, tpmPublic, hash);
    }

    /// <summary>A quote over <paramref name="values"/> for <paramref name="selection"/>, as a TPM would make it.</summary>
    public (byte[] Attest, byte[] Signature) Quote(ReadOnlySpan<byte> nonce, PcrSelection selection, PcrValues values, uint resetCount = 1, uint restartCount = 0)
    {
        using var digest = TpmHash.CreateIncremental(Hash);
        foreach (var bank in selection.Banks)
        {
            foreach (var index in bank.Indices)
            {
                values.TryGet(bank.Hash, index, out var value);
                digest.AppendData(value.Span);
            }
        }

        var attest = new TpmsAttest
        {
            Magic = TpmsAttest.TpmGeneratedValue,
            Type = (ushort)AttestType.Quote,
            QualifiedSigner = Public.Name,
            ExtraData = nonce.ToArray(),
            ClockInfo = new ClockInfo(123456, resetCount, restartCount, true),
            FirmwareVersion = 0x2019102300163636,
            Attested = new QuoteInfo(selection, digest.GetHashAndReset()),
            Raw = ReadOnlyMemory<byte>.Empty,
        }.Marshal();
        return (attest, Sign(attest).Marshal());
    }

    public TpmtSignature Sign(ReadOnlySpan<byte> message)
    {
        var digest = TpmHash.Compute(Hash, message);
        var name = TpmHash.ToHashAlgorithmName(Hash);
        if (_rsa is not null)
        {
            var scheme = ((RsaParameters)Public.Parameters).Scheme.Algorithm;
            var padding = scheme == TpmAlgId.RsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            return new TpmtSignature { SigAlg = scheme, HashAlg = Hash, Signature = _rsa.SignHash(digest, name, padding) };
        }

        var signature = _ecdsa!.SignHash(digest, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var half = signature.Length / 2;
        return new TpmtSignature { SigAlg = TpmAlgId.Ecdsa, HashAlg = Hash, R = signature[..half], S = signature[half..] };
    }

    public void Dispose()
    {
        _rsa?.Dispose();
        _ecdsa?.Dispose();
    }
}
