using System.Security.Cryptography;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Objects;
using Attest.Tpm.Signatures;
using Attest.Tpm.Tests.Support;

namespace Attest.Tpm.Tests.Objects;

public class TpmPublicTests
{
    [Fact]
    public void Marshaled_public_area_parses_back_to_the_same_bytes_and_name()
    {
        using var ak = SoftwareAttestationKey.CreateEcc(TpmEccCurve.NistP384, TpmAlgId.Sha384);

        var parsed = TpmPublic.ParseSized(ak.Public.MarshalSized());

        Assert.Equal(ak.Public.Raw.ToArray(), parsed.Raw.ToArray());
        Assert.Equal(ak.Public.Name.ToArray(), parsed.Name.ToArray());
        Assert.Equal(TpmEccCurve.NistP384, parsed.Ecc!.Curve);
        Assert.Equal(new Scheme(TpmAlgId.Ecdsa, TpmAlgId.Sha384), parsed.Ecc.Scheme);
        Assert.True(parsed.Has(SoftwareAttestationKey.AkAttributes));
    }

    [Fact]
    public void Name_is_name_algorithm_then_digest_of_the_public_area()
    {
        using var ak = SoftwareAttestationKey.CreateRsa();

        var name = ak.Public.Name.ToArray();

        Assert.Equal([0x00, 0x0B, .. SHA256.HashData(ak.Public.Raw.Span)], name);
    }

    [Fact]
    public void Name_is_computed_over_received_bytes()
    {
        using var ak = SoftwareAttestationKey.CreateRsa();
        var sized = ak.Public.MarshalSized();

        var parsed = TpmPublic.ParseSized(sized);

        Assert.Equal(SHA256.HashData(sized.AsSpan(2)), parsed.Name.Span[2..].ToArray());
    }

    [Fact]
    public void Tpm2b_size_that_disagrees_with_the_content_is_rejected()
    {
        using var ak = SoftwareAttestationKey.CreateRsa();
        byte[] sized = [.. ak.Public.MarshalSized(), 0x00];

        Assert.Throws<Attest.Tpm.Wire.TpmFormatException>(() => TpmPublic.ParseSized(sized));
    }

    [Theory]
    [InlineData("rsa")]
    [InlineData("ecc")]
    public void Subject_public_key_info_matches_its_public_area_only(string kind)
    {
        using var ak = kind == "rsa" ? SoftwareAttestationKey.CreateRsa() : SoftwareAttestationKey.CreateEcc();
        using var other = kind == "rsa" ? SoftwareAttestationKey.CreateRsa() : SoftwareAttestationKey.CreateEcc();

        var spki = SubjectPublicKeyInfo.Parse(ak.Public.ExportSubjectPublicKeyInfo());

        Assert.True(spki.Matches(ak.Public));
        Assert.False(spki.Matches(other.Public));
    }
}
