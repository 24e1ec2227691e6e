using System.Security.Cryptography;
using System.Text;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Ima;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Tests.Ima;

public class ImaLogParserTests
{
    [Theory]
    [InlineData("SHA1")]
    [InlineData("SHA256")]
    [InlineData("SHA384")]
    public void Ascii_and_binary_forms_of_the_same_log_parse_to_the_same_entries(string hash)
    {
        var alg = new HashAlgorithmName(hash);
        var writer = ImaSamples.EveryTemplate();
        var binary = ImaLog.Parse(writer.ToBinary(alg), new ImaParseOptions { FileName = FileName("binary", hash) });
        var ascii = ImaLog.Parse(Encoding.UTF8.GetBytes(writer.ToAscii(alg)), new ImaParseOptions { FileName = FileName("ascii", hash) });

        Assert.Equal(ImaLogFormat.Binary, binary.Format);
        Assert.Equal(ImaLogFormat.Ascii, ascii.Format);
        Assert.Equal(binary.TemplateHashAlgorithm, ascii.TemplateHashAlgorithm);
        Assert.Equal(writer.Records.Count, binary.Entries.Count);
        Assert.Equal(writer.Records.Count, ascii.Entries.Count);
        for (var i = 0; i < binary.Entries.Count; i++)
        {
            AssertSameEntry(binary.Entries[i], ascii.Entries[i]);
        }
    }

    [Fact]
    public void Every_template_decodes_its_fields()
    {
        var log = ImaLog.Parse(ImaSamples.EveryTemplate().ToBinary());
        var e = log.Entries;

        Assert.Equal("boot_aggregate", e[0].FileName);
        Assert.Equal("sha256", e[1].FileDigest!.Algorithm);
        Assert.Equal(TpmAlgId.Sha256, e[1].FileDigest!.TpmAlgorithm);
        Assert.Equal(ImaSamples.Sha256("systemd"), e[1].FileDigest!.Digest.ToArray());
        Assert.Equal("/usr/lib/systemd/systemd", e[1].FileName);
        Assert.Equal("/usr/bin/file_with_space", e[2].FileName);

        Assert.Equal("ima", e[3].TemplateName);
        Assert.True(e[3].Template!.IsImaTemplate);
        Assert.Equal(SHA1.HashData("old"u8), e[3].FileDigest!.Digest.ToArray());
        Assert.Equal("/usr/bin/old-style", e[3].FileName);

        var sig = e[4].SignatureHeader!;
        Assert.Equal(ImaSignatureHeader.TypeDigSig, sig.Type);
        Assert.Equal("digsig", sig.TypeName);
        Assert.Equal(2, sig.Version);
        Assert.Equal("sha256", sig.HashAlgorithmName);
        Assert.Equal(0x1A2B3C4Du, sig.KeyId);
        Assert.Equal(256, sig.SignatureSize);
        Assert.True(sig.SizeMatches);
        Assert.Equal(9 + 256, e[4].Signature.Length);
        Assert.Null(e[5].SignatureHeader);
        Assert.True(e[5].Signature.IsEmpty);

        Assert.Equal("kexec-cmdline", e[6].FileName);
        Assert.Equal("root=/dev/sda1 ro quiet ima_policy=tcb", e[6].BufferText);
        Assert.Equal(".builtin_trusted_keys", e[7].FileName);
        Assert.Null(e[7].BufferText);
        Assert.Equal([0x30, 0x82, 0x01, 0x0A, 0x00, 0xFF], e[7].Buffer!.Value.ToArray());

        Assert.Equal(ImaSamples.Sha256("ext4"), e[8].ModSigDigest!.Digest.ToArray());
        Assert.Equal([0x30, 0x80, 0x06, 0x09], e[8].ModSig.ToArray());
        Assert.Null(e[9].ModSigDigest);

        Assert.True(e[10].IsViolation);
        Assert.All(e.Where(x => x.Index != 10), x => Assert.False(x.IsViolation));
        Assert.Equal("sha512", e[11].FileDigest!.Algorithm);
        Assert.Equal(11u, e[12].Pcr);
    }

    [Fact]
    public void Sha256_binary_log_is_detected_without_a_file_name()
    {
        var writer = ImaSamples.EveryTemplate();
        var log = ImaLog.Parse(writer.ToBinary(HashAlgorithmName.SHA256));
        Assert.Equal(TpmAlgId.Sha256, log.TemplateHashAlgorithm);
        Assert.Equal(writer.Records.Count, log.Entries.Count);
    }

    [Theory]
    [InlineData("/sys/kernel/security/ima/binary_runtime_measurements", TpmAlgId.Sha1)]
    [InlineData("binary_runtime_measurements_sha256", TpmAlgId.Sha256)]
    [InlineData("ascii_runtime_measurements_sha384", TpmAlgId.Sha384)]
    [InlineData("ascii_runtime_measurements_sha512", TpmAlgId.Sha512)]
    public void Template_hash_algorithm_follows_the_securityfs_file_name(string name, TpmAlgId expected) =>
        Assert.Equal(expected, ImaLog.AlgorithmFromFileName(name));

    [Fact]
    public void Ascii_line_with_a_one_digit_pcr_has_a_leading_space_and_parses()
    {
        var writer = new ImaLogWriter().AddImaNg("/bin/x", ImaSamples.Sha256("x"), pcr: 9);
        var text = writer.ToAscii();
        Assert.StartsWith(" 9 ", text, StringComparison.Ordinal);
        Assert.Equal(9u, ImaLog.Parse(Encoding.UTF8.GetBytes(text)).Entries[0].Pcr);
    }

    [Fact]
    public void Custom_template_format_is_understood_from_its_field_ids()
    {
        var writer = new ImaLogWriter().AddRaw(10, "d-ng|n-ng|buf",
            ("d-ng", ImaLogWriter.DigestNg("sha256", ImaSamples.Sha256("b"))), ("n-ng", [.. "name"u8, 0]), ("buf", "b"u8.ToArray()));
        var binary = ImaLog.Parse(writer.ToBinary()).Entries[0];
        var ascii = ImaLog.Parse(Encoding.UTF8.GetBytes(writer.ToAscii())).Entries[0];
        Assert.NotNull(binary.Template);
        Assert.Equal("name", binary.FileName);
        Assert.Equal("b", binary.BufferText);
        AssertSameEntry(binary, ascii);
    }

    [Fact]
    public void Unknown_template_is_kept_raw_in_both_forms()
    {
        var writer = new ImaLogWriter().AddRaw(10, "vendor-x", ("a", [1, 2, 3]), ("b", [4]));
        var binary = ImaLog.Parse(writer.ToBinary()).Entries[0];
        Assert.Null(binary.Template);
        Assert.Equal("vendor-x", binary.TemplateName);
        Assert.Equal(2, binary.Fields.Count);
        Assert.Equal([1, 2, 3], binary.Fields[0].ToArray());

        var ascii = ImaLog.Parse(Encoding.UTF8.GetBytes(writer.ToAscii())).Entries[0];
        Assert.False(ascii.HasTemplateData);
        Assert.Equal(["010203", "04"], ascii.UnparsedAsciiFields);
    }

    [Fact]
    public void Ascii_line_with_a_missing_field_names_the_line()
    {
        var text = ImaSamples.EveryTemplate().ToAscii().Split('\n');
        text[2] = text[2][..text[2].LastIndexOf(' ')];
        var ex = Assert.Throws<TpmFormatException>(() => ImaLog.Parse(Encoding.UTF8.GetBytes(string.Join('\n', text))));
        Assert.Contains("line 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ascii_log_without_final_newline_is_reported_as_truncated()
    {
        var text = ImaSamples.EveryTemplate().ToAscii().TrimEnd('\n');
        var ex = Assert.Throws<TpmFormatException>(() => ImaLog.Parse(Encoding.UTF8.GetBytes(text)));
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_input_is_an_empty_log() => Assert.Empty(ImaLog.Parse(ReadOnlyMemory<byte>.Empty).Entries);

    [Fact]
    public void Tail_of_a_log_is_numbered_from_its_first_index()
    {
        var writer = ImaSamples.ImaNg(10);
        var tail = new ImaLogWriter();
        foreach (var record in writer.Records.Skip(4))
        {
            tail.Add(record);
        }

        var log = ImaLog.Parse(tail.ToBinary(), new ImaParseOptions { FirstIndex = 4 });
        Assert.Equal(4, log.Entries[0].Index);
        Assert.Equal(9, log.Entries[^1].Index);
    }

    internal static void AssertSameEntry(ImaEntry expected, ImaEntry actual)
    {
        Assert.Equal(expected.Index, actual.Index);
        Assert.Equal(expected.Pcr, actual.Pcr);
        Assert.Equal(expected.TemplateName, actual.TemplateName);
        Assert.Equal(expected.TemplateHash.ToArray(), actual.TemplateHash.ToArray());
        Assert.Equal(expected.TemplateData.ToArray(), actual.TemplateData.ToArray());
        Assert.Equal(expected.Fields.Select(f => f.ToArray()), actual.Fields.Select(f => f.ToArray()));
        Assert.Equal(expected.FileDigest?.ToString(), actual.FileDigest?.ToString());
        Assert.Equal(expected.FileName, actual.FileName);
        Assert.Equal(expected.Signature.ToArray(), actual.Signature.ToArray());
        Assert.Equal(expected.SignatureHeader, actual.SignatureHeader);
        Assert.Equal(expected.Buffer?.ToArray(), actual.Buffer?.ToArray());
        Assert.Equal(expected.ModSigDigest?.ToString(), actual.ModSigDigest?.ToString());
        Assert.Equal(expected.ModSig.ToArray(), actual.ModSig.ToArray());
        Assert.Equal(expected.IsViolation, actual.IsViolation);
    }

    private static string FileName(string form, string hash) =>
        hash == "SHA1" ? $"{form}_runtime_measurements" : $"{form}_runtime_measurements_{hash.ToLowerInvariant()}";
}
