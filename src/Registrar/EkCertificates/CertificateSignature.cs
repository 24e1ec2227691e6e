using Org.BouncyCastle.Crypto.Operators;

namespace Attest.Registrar.EkCertificates;

/// <summary>
/// Verifies one certificate's signature under a candidate issuer's key over the TBSCertificate bytes as received
/// (CONVENTIONS: never over a re-serialisation, so a maker's non-minimal DER still verifies).
/// </summary>
internal static class CertificateSignature
{
    public static bool Verifies(CaCertificate subject, CaCertificate issuer)
    {
        try
        {
            var tbs = CertificateDecoder.RawTbs(subject.Der);
            var factory = new Asn1VerifierFactory(subject.Bc.CertificateStructure.SignatureAlgorithm, issuer.Bc.GetPublicKey());
            var calculator = factory.CreateCalculator();
            using (var stream = calculator.Stream)
            {
                stream.Write(tbs.Span);
            }

            return calculator.GetResult().IsVerified(subject.Bc.GetSignature());
        }
#pragma warning disable CA1031 // an unsupported algorithm or a key of the wrong type simply does not verify
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return false;
        }
    }
}
