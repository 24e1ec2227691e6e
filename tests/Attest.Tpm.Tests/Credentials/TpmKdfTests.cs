using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Credentials;

namespace Attest.Tpm.Tests.Credentials;

public class TpmKdfTests
{
    /// <summary>KDFa written out longhand from Part 1 §11.4.10.2, to check the platform KDF is wired as the TPM expects.</summary>
    private static byte[] KdfALonghand(byte[] key, string label, byte[] context, int bits)
    {
        var output = new List<byte>();
        for (uint i = 1; output.Count < bits / 8; i++)
        {
            var block = new List<byte>();
            var counter = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(counter, i);
            block.AddRange(counter);
            block.AddRange(Encoding.ASCII.GetBytes(label));
            block.Add(0);
            block.AddRange(context);
            var length = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(length, (uint)bits);
            block.AddRange(length);
            output.AddRange(HMACSHA256.HashData(key, block.ToArray()));
        }

        return output.Take(bits / 8).ToArray();
    }

    [Theory]
    [InlineData(128)]
    [InlineData(256)]
    [InlineData(384)]
    public void KdfA_matches_the_specified_construction(int bits)
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var contextU = RandomNumberGenerator.GetBytes(34);
        var contextV = RandomNumberGenerator.GetBytes(5);

        var derived = TpmKdf.KdfA(TpmAlgId.Sha256, key, "STORAGE", contextU, contextV, bits);

        Assert.Equal(KdfALonghand(key, "STORAGE", [.. contextU, .. contextV], bits), derived);
    }

    [Fact]
    public void KdfE_output_depends_on_every_input()
    {
        var z = RandomNumberGenerator.GetBytes(32);
        var u = RandomNumberGenerator.GetBytes(32);
        var v = RandomNumberGenerator.GetBytes(32);
        var baseline = TpmKdf.KdfE(TpmAlgId.Sha256, z, "IDENTITY", u, v, 256);

        Assert.NotEqual(baseline, TpmKdf.KdfE(TpmAlgId.Sha256, z, "IDENTITY", v, u, 256));
        Assert.NotEqual(baseline, TpmKdf.KdfE(TpmAlgId.Sha256, z, "STORAGE", u, v, 256));
        Assert.Equal(SHA256.HashData([0, 0, 0, 1, .. z, .. "IDENTITY\0"u8.ToArray(), .. u, .. v]), baseline);
    }
}
