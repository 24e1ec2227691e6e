using System.Security.Cryptography;
using System.Text;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Ima;

namespace Attest.Tpm.Tests.Ima;

public class ImaReplayTests
{
    private static readonly TpmAlgId[] AllBanks = [TpmAlgId.Sha1, TpmAlgId.Sha256, TpmAlgId.Sha384, TpmAlgId.Sha512];

    [Theory]
    [InlineData("SHA1", false)]
    [InlineData("SHA1", true)]
    [InlineData("SHA256", false)]
    [InlineData("SHA256", true)]
    public void Replay_of_every_bank_equals_the_kernels_pcr_values(string logHash, bool ascii)
    {
        var writer = ImaSamples.EveryTemplate();
        var log = Parse(writer, new HashAlgorithmName(logHash), ascii);

        var result = ImaReplay.Replay(log, new ImaReplayOptions { Banks = AllBanks });

        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        Assert.Equal(writer.Records.Count, result.State.EntryCount);
        foreach (var bank in AllBanks)
        {
            var name = new HashAlgorithmName(bank.Name().ToUpperInvariant());
            Assert.Equal(writer.ExpectedPcr(name, 10), result.State.GetPcr(bank, 10));
            Assert.Equal(writer.ExpectedPcr(name, 11), result.State.GetPcr(bank, 11));
            Assert.Equal([10u, 11u], result.State.ExtendedPcrs(bank));
        }
    }

    [Fact]
    public void Violation_is_logged_as_zeros_and_extended_as_all_ones()
    {
        var writer = new ImaLogWriter().AddBootAggregate(ImaSamples.Sha256("a")).AddViolation("/tmp/x");
        var log = ImaLog.Parse(writer.ToBinary());
        Assert.All(log.Entries[1].TemplateHash.ToArray(), b => Assert.Equal(0, b));

        var result = ImaReplay.Replay(log, new ImaReplayOptions { Banks = [TpmAlgId.Sha256] });

        Assert.True(result.Succeeded);
        var afterFirst = ImaLogWriter.ComputeTemplateHash(writer.Records[0], HashAlgorithmName.SHA256);
        var pcr = SHA256.HashData([.. new byte[32], .. afterFirst]);
        pcr = SHA256.HashData([.. pcr, .. Enumerable.Repeat((byte)0xFF, 32)]);
        Assert.Equal(pcr, result.State.GetPcr(TpmAlgId.Sha256, 10));
    }

    [Fact]
    public void Legacy_kernels_padded_sha1_rule_is_available()
    {
        var writer = ImaSamples.EveryTemplate();
        var result = ImaReplay.Replay(ImaLog.Parse(writer.ToBinary()),
            new ImaReplayOptions { Banks = [TpmAlgId.Sha256], BankDigestRule = ImaBankDigestRule.PaddedSha1 });
        Assert.Equal(writer.ExpectedPcr(HashAlgorithmName.SHA256, paddedSha1: true), result.State.GetPcr(TpmAlgId.Sha256, 10));
    }

    [Fact]
    public void Quoted_pcr_that_matches_passes()
    {
        var writer = ImaSamples.EveryTemplate();
        var result = ImaReplay.Replay(ImaLog.Parse(writer.ToBinary()), Expecting(writer, HashAlgorithmName.SHA256, TpmAlgId.Sha256));
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
    }

    [Fact]
    public void Edited_file_digest_is_a_template_hash_mismatch_on_that_entry()
    {
        var writer = ImaSamples.EveryTemplate();
        var bytes = writer.ToBinary();
        var digest = ImaSamples.Sha256("bash");
        var at = bytes.AsSpan().IndexOf(digest);
        bytes[at] ^= 1;

        var result = ImaReplay.Replay(ImaLog.Parse(bytes), Expecting(writer, HashAlgorithmName.SHA1, TpmAlgId.Sha1));

        var failure = Assert.Single(result.Failures);
        Assert.Equal(ImaFailureCodes.TemplateHashMismatch, failure.Code);
        Assert.Equal(4, failure.EntryIndex);
        Assert.Equal(10u, failure.Pcr);
    }

    [Fact]
    public void Edited_path_in_an_ascii_log_is_a_template_hash_mismatch()
    {
        var writer = ImaSamples.EveryTemplate();
        var text = writer.ToAscii().Replace("/usr/bin/bash", "/usr/bin/bosh", StringComparison.Ordinal);
        var result = ImaReplay.Replay(ImaLog.Parse(Encoding.UTF8.GetBytes(text)));
        Assert.Equal(ImaFailureCodes.TemplateHashMismatch, Assert.Single(result.Failures).Code);
        Assert.Equal(4, result.Failures[0].EntryIndex);
    }

    [Fact]
    public void Edited_template_hash_is_a_pcr_mismatch()
    {
        var writer = ImaSamples.EveryTemplate();
        var bytes = writer.ToBinary(HashAlgorithmName.SHA256);
        var hash = ImaLogWriter.ComputeTemplateHash(writer.Records[1], HashAlgorithmName.SHA256);
        bytes[bytes.AsSpan().IndexOf(hash)] ^= 0x80;

        var result = ImaReplay.Replay(ImaLog.Parse(bytes), Expecting(writer, HashAlgorithmName.SHA256, TpmAlgId.Sha256));

        var mismatch = Assert.Single(result.Failures, f => f.Code == ImaFailureCodes.PcrMismatch);
        Assert.Equal(10u, mismatch.Pcr);
        Assert.Equal(TpmAlgId.Sha256, mismatch.Bank);
        Assert.Equal(Convert.ToHexStringLower(writer.ExpectedPcr(HashAlgorithmName.SHA256)), mismatch.Expected);
        Assert.NotEqual(mismatch.Expected, mismatch.Actual);
        Assert.Contains(result.Failures, f => f.Code == ImaFailureCodes.TemplateHashMismatch && f.EntryIndex == 1);
    }

    [Theory]
    [InlineData("removed")]
    [InlineData("reordered")]
    [InlineData("inserted")]
    public void Changed_entry_list_is_a_pcr_mismatch_on_pcr_10(string change)
    {
        var writer = ImaSamples.EveryTemplate();
        var records = writer.Records.ToList();
        switch (change)
        {
            case "removed":
                records.RemoveAt(5);
                break;
            case "reordered":
                (records[4], records[5]) = (records[5], records[4]);
                break;
            default:
                records.Insert(3, new ImaLogWriter().AddImaNg("/tmp/evil", ImaSamples.Sha256("evil")).Records[0]);
                break;
        }

        var changed = new ImaLogWriter();
        records.ForEach(r => changed.Add(r));

        var result = ImaReplay.Replay(ImaLog.Parse(changed.ToBinary()), Expecting(writer, HashAlgorithmName.SHA256, TpmAlgId.Sha256));

        var failure = Assert.Single(result.Failures);
        Assert.Equal(ImaFailureCodes.PcrMismatch, failure.Code);
        Assert.Equal(10u, failure.Pcr);
    }

    [Fact]
    public void Incremental_replay_from_any_entry_equals_full_replay()
    {
        var writer = ImaSamples.ImaNg(120, seed: 7);
        var log = ImaLog.Parse(writer.ToBinary());
        TpmAlgId[] banks = [TpmAlgId.Sha1, TpmAlgId.Sha256];
        var full = ImaReplay.Replay(log, new ImaReplayOptions { Banks = banks }).State;

        foreach (var split in new[] { 0, 1, 17, 60, 119, 120 })
        {
            var head = new ImaLogWriter();
            var tail = new ImaLogWriter();
            for (var i = 0; i < writer.Records.Count; i++)
            {
                (i < split ? head : tail).Add(writer.Records[i]);
            }

            var first = ImaReplay.Replay(ImaLog.Parse(head.ToBinary()), new ImaReplayOptions { Banks = banks });
            Assert.Equal(split, first.State.EntryCount);

            // Either the whole (grown) log again, or only its new tail, continues from the stored state.
            var again = ImaReplay.Replay(log, new ImaReplayOptions { Banks = banks, Start = first.State });
            var tailOnly = ImaReplay.Replay(
                ImaLog.Parse(tail.ToBinary(), new ImaParseOptions { FirstIndex = split, TemplateHashAlgorithm = TpmAlgId.Sha1 }),
                new ImaReplayOptions { Banks = banks, Start = first.State });

            foreach (var next in new[] { again, tailOnly })
            {
                Assert.True(next.Succeeded, string.Join("; ", next.Failures));
                Assert.Equal(split, next.FirstEntry);
                Assert.Equal(full.EntryCount, next.State.EntryCount);
                Assert.Equal(full.ToHex(), next.State.ToHex());
            }
        }
    }

    [Fact]
    public void Incremental_state_restored_from_storage_continues_the_replay()
    {
        var writer = ImaSamples.ImaNg(30);
        var log = ImaLog.Parse(writer.ToBinary());
        var first = ImaReplay.Replay(log, new ImaReplayOptions { Banks = [TpmAlgId.Sha256] }).State;
        var stored = new ImaPcrState(first.EntryCount, new Dictionary<TpmAlgId, IReadOnlyDictionary<uint, byte[]>>
        {
            [TpmAlgId.Sha256] = new Dictionary<uint, byte[]> { [10] = first.GetPcr(TpmAlgId.Sha256, 10) },
        });

        writer.AddImaNg("/usr/bin/new", ImaSamples.Sha256("new"));
        var result = ImaReplay.Replay(ImaLog.Parse(writer.ToBinary()), new ImaReplayOptions { Start = stored, ExpectedPcrs = Quote(writer, HashAlgorithmName.SHA256, TpmAlgId.Sha256) });
        Assert.True(result.Succeeded, string.Join("; ", result.Failures));
        Assert.Equal(31, result.State.EntryCount);
    }

    [Fact]
    public void Log_shorter_than_the_stored_state_is_reported()
    {
        var writer = ImaSamples.ImaNg(10);
        var state = ImaReplay.Replay(ImaLog.Parse(writer.ToBinary())).State;
        var shorter = new ImaLogWriter();
        writer.Records.Take(5).ToList().ForEach(r => shorter.Add(r));
        var result = ImaReplay.Replay(ImaLog.Parse(shorter.ToBinary()), new ImaReplayOptions { Start = state });
        Assert.Equal(ImaFailureCodes.LogShorterThanState, Assert.Single(result.Failures).Code);
    }

    [Fact]
    public void Tail_that_starts_after_the_stored_state_is_a_gap()
    {
        var writer = ImaSamples.ImaNg(10);
        var state = ImaReplay.Replay(ImaLog.Parse(writer.ToBinary())).State;
        var tail = ImaLog.Parse(ImaSamples.ImaNg(3).ToBinary(), new ImaParseOptions { FirstIndex = 12 });
        Assert.Equal(ImaFailureCodes.LogGap, Assert.Single(ImaReplay.Replay(tail, new ImaReplayOptions { Start = state }).Failures).Code);
    }

    [Fact]
    public void Entries_after_the_quote_are_left_for_next_time_when_allowed()
    {
        var writer = ImaSamples.ImaNg(40);
        var quote = Quote(writer, HashAlgorithmName.SHA256, TpmAlgId.Sha256, count: 33);
        var log = ImaLog.Parse(writer.ToBinary());

        var strict = ImaReplay.Replay(log, new ImaReplayOptions { ExpectedPcrs = quote });
        Assert.Equal(ImaFailureCodes.PcrMismatch, Assert.Single(strict.Failures).Code);

        var lenient = ImaReplay.Replay(log, new ImaReplayOptions { ExpectedPcrs = quote, AllowUnquotedTail = true });
        Assert.True(lenient.Succeeded);
        Assert.Equal(33, lenient.State.EntryCount);
        Assert.Equal(7, lenient.UnquotedEntries);

        var next = ImaReplay.Replay(log, new ImaReplayOptions { Start = lenient.State, ExpectedPcrs = Quote(writer, HashAlgorithmName.SHA256, TpmAlgId.Sha256) });
        Assert.True(next.Succeeded);
        Assert.Equal(40, next.State.EntryCount);
    }

    [Fact]
    public void Unknown_template_replays_in_the_logs_bank_and_is_verified_from_binary_data()
    {
        var writer = new ImaLogWriter().AddBootAggregate(ImaSamples.Sha256("a")).AddRaw(10, "vendor-x", ("a", [1, 2, 3]));
        var binary = ImaReplay.Replay(ImaLog.Parse(writer.ToBinary()), new ImaReplayOptions { Banks = [TpmAlgId.Sha1, TpmAlgId.Sha256] });
        Assert.True(binary.Succeeded);
        Assert.Empty(binary.UnverifiedEntries);
        Assert.Equal(writer.ExpectedPcr(HashAlgorithmName.SHA256), binary.State.GetPcr(TpmAlgId.Sha256, 10));

        var ascii = ImaLog.Parse(Encoding.UTF8.GetBytes(writer.ToAscii()));
        var sameBank = ImaReplay.Replay(ascii);
        Assert.True(sameBank.Succeeded);
        Assert.Equal([1], sameBank.UnverifiedEntries);
        Assert.Equal(writer.ExpectedPcr(HashAlgorithmName.SHA1), sameBank.State.GetPcr(TpmAlgId.Sha1, 10));

        var otherBank = ImaReplay.Replay(ascii, new ImaReplayOptions { Banks = [TpmAlgId.Sha256] });
        var failure = Assert.Single(otherBank.Failures);
        Assert.Equal(ImaFailureCodes.BankNotComputable, failure.Code);
        Assert.Equal(1, failure.EntryIndex);
    }

    [Fact]
    public void Stored_state_without_a_needed_bank_is_reported()
    {
        var log = ImaLog.Parse(ImaSamples.ImaNg(3).ToBinary());
        var state = ImaPcrState.Initial(TpmAlgId.Sha1);
        var result = ImaReplay.Replay(log, new ImaReplayOptions { Start = state, Banks = [TpmAlgId.Sha256] });
        Assert.Equal(ImaFailureCodes.StateBankMissing, Assert.Single(result.Failures).Code);
    }

    [Fact]
    public void Thousands_of_mismatches_are_summarised()
    {
        var bytes = ImaSamples.ImaNg(300).ToBinary();
        var log = ImaLog.Parse(bytes);
        foreach (var entry in log.Entries.Where(e => !e.IsViolation))
        {
            // Flip a byte of each file digest in place (the entries slice the same buffer).
            bytes[entry.Offset + 4 + 20 + 4 + 6 + 4 + 4 + 8] ^= 1;
        }

        var result = ImaReplay.Replay(log, new ImaReplayOptions { MaxFailures = 50 });
        Assert.Equal(51, result.Failures.Count);
        Assert.Equal(ImaFailureCodes.TooManyFailures, result.Failures[^1].Code);
    }

    private static ImaLog Parse(ImaLogWriter writer, HashAlgorithmName alg, bool ascii)
    {
        var suffix = alg == HashAlgorithmName.SHA1 ? "" : "_" + alg.Name!.ToLowerInvariant();
        return ascii
            ? ImaLog.Parse(Encoding.UTF8.GetBytes(writer.ToAscii(alg)), new ImaParseOptions { FileName = "ascii_runtime_measurements" + suffix })
            : ImaLog.Parse(writer.ToBinary(alg), new ImaParseOptions { FileName = "binary_runtime_measurements" + suffix });
    }

    private static ImaReplayOptions Expecting(ImaLogWriter writer, HashAlgorithmName name, TpmAlgId bank) =>
        new() { ExpectedPcrs = Quote(writer, name, bank) };

    private static Dictionary<TpmAlgId, IReadOnlyDictionary<uint, byte[]>> Quote(ImaLogWriter writer, HashAlgorithmName name, TpmAlgId bank, int count = -1) =>
        new() { [bank] = new Dictionary<uint, byte[]> { [10] = writer.ExpectedPcr(name, 10, count) } };
}
