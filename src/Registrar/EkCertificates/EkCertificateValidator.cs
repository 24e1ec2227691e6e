using Attest.Tpm.Crypto;
using Attest.Tpm.Objects;
using Attest.Tpm.Signatures;

namespace Attest.Registrar.EkCertificates;

/// <summary>
/// Checks an EK certificate sent by a node at enrollment (ARCHITECTURE flow 1, step 2): it must chain to a
/// configured TPM maker's CA, its key must be the EK public area presented, and its algorithms must pass the crypto
/// profile. Everything the node sends is hostile: bounded, and malformed input is a failure, never an exception.
/// Thread-safe; register as a singleton. Decision record: docs/decisions/0006-ek-certificates.md.
/// </summary>
public sealed class EkCertificateValidator
{
    private readonly EkCertificateOptions _options;
    private readonly CryptoProfile _profile;
    private readonly TimeProvider _time;

    public EkCertificateValidator(EkCertificateOptions options, CryptoProfile profile, TimeProvider? time = null)
        : this(TpmMakerRootStore.Load((options ?? throw new ArgumentNullException(nameof(options))).RootDirectory, options.TrustConfiguredIntermediates),
            options, profile, time)
    {
    }

    public EkCertificateValidator(TpmMakerRootStore store, EkCertificateOptions options, CryptoProfile profile, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(profile);
        Store = store;
        _options = options;
        _profile = profile;
        _time = time ?? TimeProvider.System;
    }

    public TpmMakerRootStore Store { get; }

    public EkCertificateValidationResult Validate(ReadOnlySpan<byte> ekCertificate, TpmPublic ekPublic, IReadOnlyList<byte[]>? nodeIntermediates = null)
    {
        ArgumentNullException.ThrowIfNull(ekPublic);
        var result = new EkCertificateValidationResult();
        if (ekCertificate.Length > _options.MaxCertificateBytes)
        {
            result.Fail(EkCertificateFailureCodes.Malformed, $"EK certificate is {ekCertificate.Length} bytes; at most {_options.MaxCertificateBytes} are accepted");
            return result;
        }

        CaCertificate ek;
        try
        {
            ek = CertificateDecoder.Decode(ekCertificate.ToArray(), CertificateSource.EkCertificate, "EK certificate");
        }
        catch (CertificateDecodeException ex)
        {
            result.Fail(EkCertificateFailureCodes.Malformed, $"EK certificate: {ex.Message}");
            return result;
        }

        var intermediates = DecodeNodeIntermediates(nodeIntermediates, result);
        try
        {
            Check(ek, intermediates, ekPublic, result);
        }
        finally
        {
            // Certificates decoded for this request hold native handles: release them now, not at the next GC.
            ek.Dispose();
            intermediates.ForEach(i => i.Dispose());
        }

        return result;
    }

    private void Check(CaCertificate ek, List<CaCertificate> intermediates, TpmPublic ekPublic, EkCertificateValidationResult result)
    {
        result.Sha256Thumbprint = ek.Sha256Thumbprint;
        result.Subject = ek.Subject;
        result.Issuer = ek.Issuer;

        CheckKey(ek, ekPublic, result);
        result.Tpm = TpmDeviceIdentity.FromCertificate(ek.Bc, out var sanProblem);
        if (sanProblem is not null)
        {
            result.Warn(sanProblem);
        }

        var now = _time.GetUtcNow().UtcDateTime;
        var outcome = EkChainBuilder.Build(ek, Store, intermediates, now);
        result.ChainBuilder = outcome.Builder;
        if (outcome.Chain is not { } chain)
        {
            result.Fail(EkCertificateFailureCodes.Untrusted,
                $"no configured TPM maker CA certificate issued '{outcome.Top.Subject}': issuer '{outcome.MissingIssuer}' is missing from {Store.Directory} (or its signature does not verify)",
                subject: outcome.Top.Subject, expected: outcome.MissingIssuer);
            return;
        }

        if (outcome.PlatformRefusal is not null)
        {
            result.Warn($"chain built by the fallback builder; X509Chain refused it ({outcome.PlatformRefusal})");
        }

        result.SetChain(chain.Select(c => new EkChainElement(c.Subject, c.Issuer, c.Sha256Thumbprint, c.NotBefore, c.NotAfter, c.Source, Store.IsAnchor(c))));
        var anchor = chain[^1];
        if (!anchor.IsSelfIssued)
        {
            result.Warn($"chain ends at configured CA '{anchor.Subject}' ({anchor.Origin}), whose issuer '{anchor.Issuer}' is not in the store");
        }

        CheckCriticalExtensions(chain, result);
        CheckValidity(chain, now, result);
        CheckAlgorithms(chain, result);
    }

    private List<CaCertificate> DecodeNodeIntermediates(IReadOnlyList<byte[]>? supplied, EkCertificateValidationResult result)
    {
        var decoded = new List<CaCertificate>();
        if (supplied is null)
        {
            return decoded;
        }

        if (supplied.Count > _options.MaxNodeIntermediates)
        {
            result.Warn($"node sent {supplied.Count} intermediate certificates; only the first {_options.MaxNodeIntermediates} are considered");
        }

        foreach (var (der, index) in supplied.Take(_options.MaxNodeIntermediates).Select((d, i) => (d, i)))
        {
            // A bad intermediate can only fail to help: ignore it with a warning; the chain decides.
            if (der is null || der.Length > _options.MaxCertificateBytes)
            {
                result.Warn($"node intermediate {index + 1} ignored: missing or larger than {_options.MaxCertificateBytes} bytes");
                continue;
            }

            try
            {
                decoded.Add(CertificateDecoder.Decode(der, CertificateSource.Node, $"node intermediate {index + 1}"));
            }
            catch (CertificateDecodeException ex)
            {
                result.Warn($"node intermediate {index + 1} ignored: {ex.Message}");
            }
        }

        return decoded;
    }

    private static void CheckKey(CaCertificate ek, TpmPublic ekPublic, EkCertificateValidationResult result)
    {
        try
        {
            var key = SubjectPublicKeyInfo.Parse(ek.Bc.CertificateStructure.SubjectPublicKeyInfo.GetDerEncoded());
            if (!key.Matches(ekPublic))
            {
                result.Fail(EkCertificateFailureCodes.KeyMismatch, "the EK certificate's public key is not the EK public area presented",
                    expected: Describe(ekPublic), actual: key.RsaModulus is not null ? $"RSA-{key.RsaModulus.Length * 8}" : key.Curve.ToString());
            }
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            result.Fail(EkCertificateFailureCodes.KeyMismatch, $"the EK certificate's public key cannot be compared with the EK: {ex.Message}");
        }
    }

    private static string Describe(TpmPublic ekPublic) => ekPublic.Ecc is { } ecc ? ecc.Curve.ToString() : $"{ekPublic.Type}-{ekPublic.KeyBits}";

    private static void CheckCriticalExtensions(IReadOnlyList<CaCertificate> chain, EkCertificateValidationResult result)
    {
        foreach (var certificate in chain)
        {
            var unprocessed = CriticalExtensions.Unprocessed(certificate.Bc);
            if (unprocessed.Count > 0)
            {
                result.Fail(EkCertificateFailureCodes.Untrusted,
                    $"'{certificate.Subject}' has critical extension(s) this verifier does not process: {string.Join(", ", unprocessed)} (RFC 5280 §4.2)",
                    subject: certificate.Subject);
            }
        }
    }

    /// <summary>
    /// EK certificates are issued once, at manufacture, for the life of the TPM (the TCG EK Credential Profile
    /// has no renewal); an expired maker CA does not make the TPM less genuine. So by default expiry is a
    /// warning, and enforcement is the operator's choice (decision 0006).
    /// </summary>
    private void CheckValidity(IReadOnlyList<CaCertificate> chain, DateTime now, EkCertificateValidationResult result)
    {
        foreach (var certificate in chain)
        {
            string? problem = null;
            if (now > certificate.NotAfter)
            {
                problem = $"'{certificate.Subject}' expired on {certificate.NotAfter:yyyy-MM-dd}";
            }
            else if (now < certificate.NotBefore)
            {
                problem = $"'{certificate.Subject}' is not valid before {certificate.NotBefore:yyyy-MM-dd}";
            }

            if (problem is null)
            {
                continue;
            }

            if (_options.EnforceValidityPeriod)
            {
                result.Fail(EkCertificateFailureCodes.Expired, $"{problem} (Registrar:EkCertificates:EnforceValidityPeriod is on)", subject: certificate.Subject,
                    expected: $"{certificate.NotBefore:O} .. {certificate.NotAfter:O}", actual: now.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                result.Warn($"{problem}; accepted because validity periods are not enforced for EK chains");
            }
        }
    }

    private void CheckAlgorithms(IReadOnlyList<CaCertificate> chain, EkCertificateValidationResult result)
    {
        var refusals = new List<AlgorithmRefusal>();
        var warnings = new List<string>();
        for (var i = 0; i < chain.Count; i++)
        {
            // An anchor's own signature is not relied on (RFC 5280 §6.1.1 (d): the anchor is its name and key).
            if (i < chain.Count - 1)
            {
                CertificateAlgorithms.CheckSignature(chain[i], _profile, refusals, warnings);
            }

            CertificateAlgorithms.CheckKey(chain[i], _profile, refusals, warnings);
        }

        foreach (var refusal in refusals)
        {
            result.Fail(EkCertificateFailureCodes.AlgorithmRefused, $"{refusal} (crypto profile '{_profile.Name}')", actual: refusal.Algorithm);
        }

        foreach (var warning in warnings.Distinct())
        {
            result.Warn(warning);
        }
    }
}
