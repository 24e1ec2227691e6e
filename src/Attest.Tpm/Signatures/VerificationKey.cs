using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Attestation;
using Attest.Tpm.Crypto;
using Attest.Tpm.Objects;
using Attest.Tpm.Verification;

namespace Attest.Tpm.Signatures;

/// <summary>
/// A public key that signs TPM attestations (an AK), ready to verify TPMT_SIGNATUREs. Build it once per key and
/// reuse it: importing a key into the platform crypto costs more than a verification.
/// </summary>
public sealed class VerificationKey : IDisposable
{
    private readonly RSA? _rsa;
    private readonly ECDsa? _ecdsa;

    private VerificationKey(TpmPublic? tpmPublic, RSA? rsa, ECDsa? ecdsa, TpmEccCurve curve)
    {
        Public = tpmPublic;
        _rsa = rsa;
        _ecdsa = ecdsa;
        Curve = curve;
        KeyBits = rsa?.KeySize ?? ecdsa!.KeySize;
    }

    /// <summary>The TPM public area, when the key came from one (null for a bare SubjectPublicKeyInfo).</summary>
    public TpmPublic? Public { get; }

    public TpmAlgId KeyType => _rsa is not null ? TpmAlgId.Rsa : TpmAlgId.Ecc;

    public int KeyBits { get; }

    public TpmEccCurve Curve { get; }

    public static VerificationKey FromTpmPublic(TpmPublic tpmPublic)
    {
        ArgumentNullException.ThrowIfNull(tpmPublic);
        return tpmPublic.Parameters switch
        {
            RsaParameters => new VerificationKey(tpmPublic, tpmPublic.CreateRsa(), null, TpmEccCurve.None),
            EccParameters ecc => new VerificationKey(tpmPublic, null, tpmPublic.CreateECDsa(), ecc.Curve),
            _ => throw new NotSupportedException($"a {tpmPublic.Type.Name()} object cannot verify signatures"),
        };
    }

    /// <summary>From DER SubjectPublicKeyInfo (RSA or EC). Throws <see cref="CryptographicException"/> when unusable.</summary>
    public static VerificationKey FromSubjectPublicKeyInfo(ReadOnlySpan<byte> der)
    {
        var info = SubjectPublicKeyInfo.Parse(der);
        if (info.RsaModulus is not null)
        {
            var rsa = RSA.Create(new RSAParameters { Modulus = info.RsaModulus, Exponent = info.RsaExponent });
            return new VerificationKey(null, rsa, null, TpmEccCurve.None);
        }

        var curve = info.Curve;
        if (!EccCurves.IsSupported(curve))
        {
            throw new CryptographicException($"elliptic curve {info.CurveOid} is not supported");
        }

        var size = EccCurves.CoordinateBytes(curve);
        var ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = EccCurves.ToDotNet(curve),
            Q = new ECPoint { X = EccCurves.LeftPad(info.EccX!, size), Y = EccCurves.LeftPad(info.EccY!, size) },
        });
        return new VerificationKey(null, null, ecdsa, curve);
    }

    /// <summary>
    /// Checks <paramref name="signature"/> over <paramref name="message"/> (the bytes as received). Failures are
    /// added to <paramref name="result"/> with codes <c>{prefix}.algorithm_refused</c>,
    /// <c>{prefix}.signature_scheme_mismatch</c> and <c>{prefix}.signature_invalid</c>. Returns true when valid.
    /// </summary>
    public bool Verify(ReadOnlySpan<byte> message, TpmtSignature signature, CryptoProfile profile, VerificationResult result, string prefix)
    {
        ArgumentNullException.ThrowIfNull(signature);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(result);
        if (!CheckAlgorithms(signature, profile, result, prefix))
        {
            return false;
        }

        Span<byte> digest = stackalloc byte[64];
        digest = digest[..TpmHash.DigestSize(signature.HashAlg)];
        TpmHash.Compute(signature.HashAlg, message, digest);
        var hashName = TpmHash.ToHashAlgorithmName(signature.HashAlg);
        bool valid;
        if (_rsa is not null)
        {
            var padding = signature.SigAlg == TpmAlgId.RsaPss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            valid = signature.Signature.Length == (KeyBits + 7) / 8 && _rsa.VerifyHash(digest, signature.Signature.Span, hashName, padding);
        }
        else
        {
            valid = VerifyEcdsa(digest, signature);
        }

        if (!valid)
        {
            result.Fail(prefix + ".signature_invalid", $"the {signature.SigAlg.Name()}/{signature.HashAlg.Name()} signature does not verify under the attestation key");
        }

        return valid;
    }

    private bool CheckAlgorithms(TpmtSignature signature, CryptoProfile profile, VerificationResult result, string prefix)
    {
        var refusal = profile.CheckSignatureScheme(signature.SigAlg)
            ?? profile.CheckSignatureHash(signature.HashAlg)
            ?? (_rsa is not null ? profile.CheckRsaVerificationKey(KeyBits) : profile.CheckCurve(Curve));
        if (refusal is not null)
        {
            result.Fail(prefix + ".algorithm_refused", $"{refusal} (profile {profile.Name})", actual: refusal.Algorithm);
            return false;
        }

        var warning = profile.LegacyWarning(signature.HashAlg, _rsa is not null ? KeyBits : 0);
        if (warning is not null)
        {
            result.Warn(warning);
        }

        var keyMatches = _rsa is not null
            ? signature.SigAlg is TpmAlgId.RsaSsa or TpmAlgId.RsaPss
            : signature.SigAlg is TpmAlgId.Ecdsa;
        var keyScheme = Public?.Parameters switch
        {
            RsaParameters rsa => rsa.Scheme,
            EccParameters ecc => ecc.Scheme,
            _ => Scheme.Null,
        };
        // A restricted key signs only with its own scheme (Part 1 §27.2.2); anything else was not made by it.
        var schemeMatches = keyScheme.Algorithm == TpmAlgId.Null
            || (keyScheme.Algorithm == signature.SigAlg && keyScheme.HashAlg == signature.HashAlg);
        if (!keyMatches || !schemeMatches)
        {
            var expected = keyScheme.Algorithm == TpmAlgId.Null ? KeyType.Name() : $"{keyScheme.Algorithm.Name()}/{keyScheme.HashAlg.Name()}";
            result.Fail(prefix + ".signature_scheme_mismatch", "the signature's scheme is not the attestation key's",
                expected: expected, actual: $"{signature.SigAlg.Name()}/{signature.HashAlg.Name()}");
            return false;
        }

        return true;
    }

    private bool VerifyEcdsa(ReadOnlySpan<byte> digest, TpmtSignature signature)
    {
        var size = (KeyBits + 7) / 8;
        var r = StripLeadingZeros(signature.R.Span);
        var s = StripLeadingZeros(signature.S.Span);
        if (r.Length > size || s.Length > size || r.IsEmpty || s.IsEmpty)
        {
            return false;
        }

        Span<byte> fixedSignature = stackalloc byte[size * 2];
        fixedSignature.Clear();
        r.CopyTo(fixedSignature[(size - r.Length)..size]);
        s.CopyTo(fixedSignature[(size * 2 - s.Length)..]);
        return _ecdsa!.VerifyHash(digest, fixedSignature, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    private static ReadOnlySpan<byte> StripLeadingZeros(ReadOnlySpan<byte> value)
    {
        while (!value.IsEmpty && value[0] == 0)
        {
            value = value[1..];
        }

        return value;
    }

    public void Dispose()
    {
        _rsa?.Dispose();
        _ecdsa?.Dispose();
    }
}
