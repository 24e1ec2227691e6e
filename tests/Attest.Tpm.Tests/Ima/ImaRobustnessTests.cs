using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Ima;
using Attest.Tpm.Wire;
using FsCheck.Xunit;

namespace Attest.Tpm.Tests.Ima;

public class ImaRobustnessTests
{
    [Theory]
    [InlineData("SHA1")]
    [InlineData("SHA256")]
    public void Binary_log_truncated_at_any_offset_parses_only_at_entry_boundaries(string hash)
    {
        var alg = new HashAlgorithmName(hash);
        var bytes = ImaSamples.EveryTemplate().ToBinary(alg);
        var bank = hash == "SHA1" ? TpmAlgId.Sha1 : TpmAlgId.Sha256;
        var boundaries = ImaLog.Parse(bytes, new ImaParseOptions { TemplateHashAlgorithm = bank }).Entries.Select(e => e.Offset).Append(bytes.Length).ToHashSet();

        for (var length = 0; length < bytes.Length; length++)
        {
            var cut = bytes.AsMemory(0, length);
            var parsed = TryParse(() => ImaLog.Parse(cut, new ImaParseOptions { TemplateHashAlgorithm = bank }));
            Assert.True(parsed == boundaries.Contains(length), $"length {length}: parsed={parsed}");
            TryParse(() => ImaLog.Parse(cut));
        }
    }

    [Fact]
    public void Ascii_log_truncated_at_any_offset_parses_only_at_line_boundaries()
    {
        var bytes = Encoding.UTF8.GetBytes(ImaSamples.EveryTemplate().ToAscii(HashAlgorithmName.SHA256));
        for (var length = 1; length < bytes.Length; length++)
        {
            var parsed = TryParse(() => ImaLog.Parse(bytes.AsMemory(0, length)));
            Assert.True(parsed == (bytes[length - 1] == (byte)'\n'), $"length {length}: parsed={parsed}");
        }
    }

    [Fact]
    public void Random_mutations_give_only_the_malformed_input_error()
    {
        var writer = ImaSamples.EveryTemplate();
        byte[][] seeds = [writer.ToBinary(), writer.ToBinary(HashAlgorithmName.SHA256), Encoding.UTF8.GetBytes(writer.ToAscii())];
        var random = new Random(20240611);
        var budget = Stopwatch.StartNew();
        var cases = 0;
        while (cases < 6000 && budget.Elapsed < TimeSpan.FromSeconds(10))
        {
            var input = Mutate(seeds[cases % seeds.Length], random);
            if (TryParse(() => ImaLog.Parse(input)) && ImaLog.Parse(input) is var log)
            {
                // Whatever parses must also replay without throwing.
                ImaReplay.Replay(log, new ImaReplayOptions { Banks = [TpmAlgId.Sha1, TpmAlgId.Sha256] });
            }

            cases++;
        }

        Assert.True(cases >= 1000, $"only {cases} cases in the time budget");
    }

    [Property(MaxTest = 2000)]
    public void Arbitrary_bytes_give_only_the_malformed_input_error(byte[] input) => TryParse(() => ImaLog.Parse(input));

    [Theory]
    [InlineData(0xFFFFFFFFu, "ima_entry.template_name_len")]
    [InlineData(256u, "ima_entry.template_name_len")]
    [InlineData(0u, "ima_entry.template_name_len")]
    public void Absurd_template_name_length_is_rejected_before_use(uint length, string field)
    {
        var bytes = ImaSamples.ImaNg(2).ToBinary();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), length);
        var ex = Assert.Throws<TpmFormatException>(() => ImaLog.Parse(bytes, new ImaParseOptions { TemplateHashAlgorithm = TpmAlgId.Sha1 }));
        Assert.Equal(field, ex.Field);
        Assert.Equal(24, ex.Offset);
    }

    [Fact]
    public void Template_data_above_the_cap_is_rejected_even_when_the_bytes_are_there()
    {
        var big = new ImaLogWriter().AddImaBuf("big", new byte[ImaLimits.DefaultMaxTemplateDataLength]).ToBinary();
        var ex = Assert.Throws<TpmFormatException>(() => ImaLog.Parse(big));
        Assert.Contains("exceeds the maximum", ex.Message, StringComparison.Ordinal);
        Assert.Single(ImaLog.Parse(big, new ImaParseOptions { MaxTemplateDataLength = 1 << 20 }).Entries);

        var bigAscii = Encoding.UTF8.GetBytes(new ImaLogWriter().AddImaBuf("big", new byte[ImaLimits.DefaultMaxTemplateDataLength]).ToAscii());
        Assert.Throws<TpmFormatException>(() => ImaLog.Parse(bigAscii));
    }

    [Fact]
    public void Huge_lengths_do_not_allocate()
    {
        // pcr 10, hash, name "ima-ng", template data length 2^31-1 then a field claiming 4 GiB.
        var bytes = new byte[4 + 20 + 4 + 6 + 4 + 8];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 10);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), 6);
        "ima-ng"u8.CopyTo(bytes.AsSpan(28));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(34), int.MaxValue);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(38), 8);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(42), uint.MaxValue);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<TpmFormatException>(() => ImaLog.Parse(bytes, new ImaParseOptions { TemplateHashAlgorithm = TpmAlgId.Sha1 }));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(34), 8);
        var ex = Assert.Throws<TpmFormatException>(() => ImaLog.Parse(bytes, new ImaParseOptions { TemplateHashAlgorithm = TpmAlgId.Sha1 }));
        Assert.Equal("ima_template.d-ng", ex.Field);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 * 1024);
    }

    [Fact]
    public void Pcr_index_no_kernel_can_write_is_malformed()
    {
        var bytes = ImaSamples.ImaNg(1).ToBinary();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, 64);
        Assert.Equal("ima_entry.pcr", Assert.Throws<TpmFormatException>(() => ImaLog.Parse(bytes, new ImaParseOptions { TemplateHashAlgorithm = TpmAlgId.Sha1 })).Field);
    }

    [Fact]
    public void Ascii_line_without_newline_is_not_scanned_past_the_cap()
    {
        var line = new byte[4 << 20];
        "10 "u8.CopyTo(line);
        line.AsSpan(3).Fill((byte)'a');
        var watch = Stopwatch.StartNew();
        var ex = Assert.Throws<TpmFormatException>(() => ImaLog.Parse(line));
        Assert.Contains("longer than", ex.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1));
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = seed.ToList();
        for (var n = random.Next(1, 5); n > 0 && bytes.Count > 0; n--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.RemoveAt(at); break;
                case 3: bytes.Insert(at, (byte)random.Next(256)); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }

        return [.. bytes];
    }

    /// <summary>True when it parsed, false on <see cref="TpmFormatException"/>; any other exception fails the test.</summary>
    private static bool TryParse(Func<ImaLog> parse)
    {
        try
        {
            parse();
            return true;
        }
        catch (TpmFormatException)
        {
            return false;
        }
    }
}
