using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Attestation;
using Attest.Tpm.Objects;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Tests.Support;
using Attest.Tpm.Wire;
using FsCheck.Xunit;

namespace Attest.Tpm.Tests.Wire;

/// <summary>
/// Hostile bytes: every TPM structure parser, fed mutated and truncated structures, either parses or throws
/// <see cref="TpmFormatException"/> — never another exception, never a hang.
/// </summary>
public class ParserMutationTests
{
    private static readonly byte[][] Seeds = BuildSeeds();

    private static readonly Action<byte[]>[] Parsers =
    [
        bytes => TpmPublic.ParseSized(bytes),
        bytes => TpmPublic.Parse(bytes),
        bytes => TpmsAttest.Parse(bytes),
        bytes => TpmtSignature.Parse(bytes),
        bytes => PcrSelection.Parse(bytes),
        bytes => DigestList.Parse(bytes),
    ];

    private static byte[][] BuildSeeds()
    {
        using var rsa = SoftwareAttestationKey.CreateRsa();
        using var ecc = SoftwareAttestationKey.CreateEcc(TpmEccCurve.NistP384, TpmAlgId.Sha384);
        var (ekKey, ek) = SoftwareEndorsementKey.Ecc();
        ekKey.Dispose();
        var selection = new PcrSelection([new PcrBankSelection(TpmAlgId.Sha256, [0, 1, 7]), new PcrBankSelection(TpmAlgId.Sha1, [0])]);
        var values = PcrFixtures.RandomValues(selection);
        var (attest, rsaSignature) = rsa.Quote(RandomNumberGenerator.GetBytes(32), selection, values);
        var (_, eccSignature) = ecc.Quote(RandomNumberGenerator.GetBytes(16), selection, values);
        byte[] digests = DigestList.Marshal([RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(48), RandomNumberGenerator.GetBytes(20)]);
        return [rsa.Public.MarshalSized(), ecc.Public.Raw.ToArray(), ek.MarshalSized(), attest, rsaSignature, eccSignature, selection.Marshal(), digests];
    }

    private static void AssertOnlyFormatErrors(byte[] bytes)
    {
        foreach (var parse in Parsers)
        {
            try
            {
                parse(bytes);
            }
            catch (TpmFormatException)
            {
                // The one allowed failure.
            }
        }
    }

    [Fact]
    public void Every_truncation_of_every_structure_fails_cleanly()
    {
        foreach (var seed in Seeds)
        {
            for (var length = 0; length < seed.Length; length++)
            {
                AssertOnlyFormatErrors(seed[..length]);
            }
        }
    }

    [Property(MaxTest = 3000)]
    public void Mutated_structures_fail_cleanly(int seedChoice, int position, byte value, int operation, int extra)
    {
        var seed = (byte[])Seeds[Math.Abs(seedChoice % Seeds.Length)].Clone();
        var at = Math.Abs(position % seed.Length);
        byte[] mutated = Math.Abs(operation % 5) switch
        {
            0 => Flip(seed, at, value),
            1 => [.. seed[..at], value, .. seed[at..]],
            2 => [.. seed[..at], .. seed[Math.Min(seed.Length, at + 1 + Math.Abs(extra % 8))..]],
            3 => MaxLength(seed, at),
            _ => [.. seed, .. new byte[Math.Abs(extra % 70000)]],
        };

        AssertOnlyFormatErrors(mutated);
    }

    [Property(MaxTest = 2000)]
    public void Random_bytes_fail_cleanly(byte[] bytes)
    {
        AssertOnlyFormatErrors(bytes ?? []);
    }

    [Fact]
    public void Unknown_object_type_names_the_field_and_offset()
    {
        byte[] bytes = [0x00, 0x99, 0x00, 0x0B, 0, 0, 0, 0, 0, 0];

        var ex = Assert.Throws<TpmFormatException>(() => TpmPublic.Parse(bytes));

        Assert.Equal("TPMT_PUBLIC.type", ex.Field);
        Assert.Equal(0, ex.Offset);
        Assert.Contains("0x0099", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_signature_algorithm_is_malformed()
    {
        var ex = Assert.Throws<TpmFormatException>(() => TpmtSignature.Parse([0x12, 0x34, 0x00]));

        Assert.Equal("TPMT_SIGNATURE.sigAlg", ex.Field);
    }

    private static byte[] Flip(byte[] seed, int at, byte value)
    {
        seed[at] ^= value == 0 ? (byte)1 : value;
        return seed;
    }

    /// <summary>Sets a 16-bit field to 0xFFFF: an absurd TPM2B size wherever it lands on one.</summary>
    private static byte[] MaxLength(byte[] seed, int at)
    {
        seed[at] = 0xFF;
        if (at + 1 < seed.Length)
        {
            seed[at + 1] = 0xFF;
        }

        return seed;
    }
}
