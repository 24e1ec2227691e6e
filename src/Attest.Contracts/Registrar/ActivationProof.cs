using System.Security.Cryptography;
using System.Text;

namespace Attest.Contracts.Registrar;

/// <summary>
/// What a node sends back after TPM2_ActivateCredential: HMAC-SHA256 keyed with the recovered secret over the
/// node's identity and AK name. The secret itself never travels back, and a proof for one node/AK is useless for
/// another.
/// </summary>
public static class ActivationProof
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("attest-activation-v1\0");

    public static byte[] Compute(ReadOnlySpan<byte> secret, string nodeId, string akNameHex)
    {
        ArgumentNullException.ThrowIfNull(nodeId);
        ArgumentNullException.ThrowIfNull(akNameHex);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        hmac.AppendData(Domain);
        hmac.AppendData(Encoding.UTF8.GetBytes(nodeId));
        hmac.AppendData([0]);
        hmac.AppendData(Encoding.ASCII.GetBytes(akNameHex.ToLowerInvariant()));
        return hmac.GetHashAndReset();
    }

    public static bool Verify(ReadOnlySpan<byte> secret, string nodeId, string akNameHex, ReadOnlySpan<byte> proof) =>
        CryptographicOperations.FixedTimeEquals(Compute(secret, nodeId, akNameHex), proof);
}
