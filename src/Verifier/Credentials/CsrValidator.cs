using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.ServiceDefaults.Problems;
using Attest.Tpm.Crypto;

namespace Attest.Verifier.Credentials;

/// <summary>A PKCS#10 request whose algorithms the profile allows and whose signature verifies: only its key is used.</summary>
internal sealed record ValidatedCsr(PublicKey PublicKey, bool IsRsa, IReadOnlyList<string> Warnings);

/// <summary>
/// Checks a CSR in the order that names the first problem best: structure, signature algorithm (profile), key
/// algorithm and size (profile), then the signature itself. Subject, SANs and requested extensions are ignored:
/// the verifier sets them from the node's identity.
/// </summary>
internal static class CsrValidator
{
    private const string RsaKeyOid = "1.2.840.113549.1.1.1";
    private const string EcKeyOid = "1.2.840.10045.2.1";
    private const int MaxCsrBytes = 16 * 1024;

    public static ValidatedCsr Validate(byte[] der, CryptoProfile profile)
    {
        if (der.Length is 0 or > MaxCsrBytes)
        {
            throw ApiProblemException.BadRequest(CredentialErrors.CsrMalformed, $"csr must be a DER PKCS#10 request of 1-{MaxCsrBytes} bytes");
        }

        var signatureOid = ReadSignatureAlgorithm(der);
        if (profile.CheckX509SignatureAlgorithm(signatureOid) is { } sigRefusal)
        {
            throw Refused(CredentialErrors.CsrSignatureAlgorithmRefused, sigRefusal);
        }

        CertificateRequest request;
        try
        {
            // Parsing without verifying first, so a refused key algorithm is reported as such, not as a bad signature.
            request = CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA384, CertificateRequestLoadOptions.SkipSignatureValidation);
        }
        catch (CryptographicException ex)
        {
            throw ApiProblemException.BadRequest(CredentialErrors.CsrMalformed, $"csr is not a PKCS#10 request: {ex.Message}");
        }

        string? curveOid = null;
        var keyOid = request.PublicKey.Oid.Value;
        if (keyOid == EcKeyOid)
        {
            curveOid = ReadCurve(request.PublicKey);
            if (profile.CheckX509Curve(curveOid) is { } curveRefusal)
            {
                throw Refused(CredentialErrors.CsrKeyRefused, curveRefusal);
            }
        }
        else if (keyOid == RsaKeyOid)
        {
            using var rsa = request.PublicKey.GetRSAPublicKey() ?? throw ApiProblemException.BadRequest(CredentialErrors.CsrMalformed, "csr's RSA key cannot be read");
            if (profile.CheckRsaCertifiedKey(rsa.KeySize) is { } rsaRefusal)
            {
                throw Refused(CredentialErrors.CsrKeyRefused, rsaRefusal);
            }
        }
        else
        {
            throw Refused(CredentialErrors.CsrKeyRefused, new AlgorithmRefusal(keyOid ?? "unknown", "only RSA and ECDSA keys are certified"));
        }

        try
        {
            CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA384, CertificateRequestLoadOptions.Default);
        }
        catch (CryptographicException)
        {
            throw ApiProblemException.Unprocessable(CredentialErrors.CsrSignatureInvalid, "the CSR's signature does not verify with its own key (proof of possession failed)");
        }

        var warnings = CryptoProfile.X509LegacyWarning(signatureOid, curveOid) is { } warning ? new[] { warning } : [];
        return new ValidatedCsr(request.PublicKey, keyOid == RsaKeyOid, warnings);
    }

    private static ApiProblemException Refused(string code, AlgorithmRefusal refusal) =>
        new(StatusCodes.Status422UnprocessableEntity, code, refusal.ToString(),
            new Dictionary<string, object?> { ["algorithm"] = refusal.Algorithm, ["rule"] = refusal.Rule });

    /// <summary>RFC 2986 §4: CertificationRequest ::= SEQUENCE { certificationRequestInfo, signatureAlgorithm, signature }.</summary>
    private static string ReadSignatureAlgorithm(byte[] der)
    {
        try
        {
            var outer = new AsnReader(der, AsnEncodingRules.DER);
            var request = outer.ReadSequence();
            outer.ThrowIfNotEmpty();
            request.ReadEncodedValue(); // certificationRequestInfo
            var algorithm = request.ReadSequence();
            return algorithm.ReadObjectIdentifier();
        }
        catch (AsnContentException ex)
        {
            throw ApiProblemException.BadRequest(CredentialErrors.CsrMalformed, $"csr is not DER PKCS#10: {ex.Message}");
        }
    }

    /// <summary>RFC 5480 §2.1.1: EC parameters are a namedCurve OID (implicit and specified curves are refused).</summary>
    private static string ReadCurve(PublicKey key)
    {
        try
        {
            return AsnDecoder.ReadObjectIdentifier(key.EncodedParameters?.RawData ?? [], AsnEncodingRules.DER, out _);
        }
        catch (AsnContentException)
        {
            throw ApiProblemException.Unprocessable(CredentialErrors.CsrKeyRefused, "EC keys must name their curve (RFC 5480 namedCurve)");
        }
    }
}
