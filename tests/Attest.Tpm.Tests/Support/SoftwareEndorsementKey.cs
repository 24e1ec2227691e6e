using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Objects;

namespace Attest.Tpm.Tests.Support;

/// <summary>EK public areas (TCG EK Credential Profile template shape) over software keys, for unit tests.</summary>
public static class SoftwareEndorsementKey
{
    private static readonly ObjectAttributes EkAttributes = ObjectAttributes.FixedTpm | ObjectAttributes.FixedParent
        | ObjectAttributes.SensitiveDataOrigin | ObjectAttributes.AdminWithPolicy | ObjectAttributes.Restricted | ObjectAttributes.Decrypt;

    public static (RSA Key, TpmPublic Public) Rsa()
    {
        var rsa = RSA.Create(2048);
        return (rsa, new TpmPublic
        {
            Type = TpmAlgId.Rsa,
            NameAlg = TpmAlgId.Sha256,
            Attributes = EkAttributes,
            AuthPolicy = Convert.FromHexString("837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA"),
            Parameters = new RsaParameters(SymmetricDefinition.Aes128Cfb, Scheme.Null, 2048, 0),
            Unique = rsa.ExportParameters(false).Modulus,
        });
    }

    public static (ECDiffieHellman Key, TpmPublic Public) Ecc(TpmEccCurve curve = TpmEccCurve.NistP256)
    {
        var ecdh = ECDiffieHellman.Create(EccCurves.ToDotNet(curve));
        var q = ecdh.ExportParameters(false).Q;
        return (ecdh, new TpmPublic
        {
            Type = TpmAlgId.Ecc,
            NameAlg = TpmAlgId.Sha256,
            Attributes = EkAttributes,
            AuthPolicy = Convert.FromHexString("837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA"),
            Parameters = new EccParameters(SymmetricDefinition.Aes128Cfb, Scheme.Null, curve, Scheme.Null),
            EccX = q.X,
            EccY = q.Y,
        });
    }
}
