using System.Diagnostics;
using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.EventLog.Data;
using Attest.Tpm.EventLog.Facts;
using Attest.Tpm.Tests.TestData;
using Attest.Tpm.Wire;

namespace Attest.Tpm.Tests.EventLog;

/// <summary>Hostile input: only TpmFormatException or a usable result, never another exception, hang or huge allocation.</summary>
public class MalformedLogTests
{
    /// <summary>Everything a verifier does with a log: parse, replay, decode every event, facts, verify.</summary>
    internal static void ProcessFully(byte[] bytes)
    {
        TcgEventLog log;
        try
        {
            log = EventLogParser.Parse(bytes);
        }
        catch (TpmFormatException)
        {
            return;
        }

        var replay = EventLogReplay.Replay(log);
        foreach (var e in log.Events)
        {
            _ = EventDataDecoder.Decode(log, e);
        }

        _ = BootFactsExtractor.FromUnverified(log);
        var quoted = replay.Banks.ToDictionary(b => b.Bank, b => b.Pcrs);
        var verification = EventLogVerifier.Verify(log, quoted);
        _ = BootFactsExtractor.FromVerified(log, verification);
    }

    [SharedTestDataTheory]
    [MemberData(nameof(RealLogs.All), MemberType = typeof(RealLogs))]
    public void Truncation_at_every_offset_is_only_ever_a_format_error(string name)
    {
        var bytes = RealLogs.Read(name);
        for (var length = 0; length < bytes.Length; length++)
        {
            var truncated = bytes.AsSpan(0, length).ToArray();
            var ex = Record.Exception(() => ProcessFully(truncated));
            Assert.True(ex is null, $"{name} truncated to {length}: {ex}");
        }
    }

    [Fact]
    public void Truncation_of_a_written_log_names_the_field_and_offset()
    {
        var bytes = EventLogWriter.TypicalUefiBoot(TestCertificates.Db).ToArray();
        var ex = Assert.Throws<TpmFormatException>(() => EventLogParser.Parse(bytes.AsSpan(0, bytes.Length - 3)));
        Assert.Equal("TCG_PCR_EVENT2.event", ex.Field);
        Assert.InRange(ex.Offset, 0, bytes.Length);
    }

    [Fact]
    public void Empty_log_is_malformed()
    {
        Assert.Throws<TpmFormatException>(() => EventLogParser.Parse([]));
    }

    [Fact]
    public void Absurd_event_size_is_rejected_before_allocating()
    {
        var bytes = new EventLogWriter(TpmAlgId.Sha256).Add(0, TcgEventType.EfiAction, "x"u8.ToArray()).ToArray();
        // The event size is the 4 bytes before the 1-byte data at the end.
        bytes[^5] = 0xFF;
        bytes[^4] = 0xFF;
        bytes[^3] = 0xFF;
        bytes[^2] = 0x7F;
        var ex = Assert.Throws<TpmFormatException>(() => EventLogParser.Parse(bytes));
        Assert.Contains("exceeds the maximum", ex.Message, StringComparison.Ordinal);
        Assert.Equal(bytes.Length - 5, ex.Offset);
    }

    [Fact]
    public void Absurd_digest_count_is_rejected()
    {
        var bytes = new EventLogWriter(TpmAlgId.Sha256).Add(0, TcgEventType.EfiAction, "x"u8.ToArray()).ToArray();
        var countOffset = bytes.Length - (1 + 4 + 32 + 2 + 4);
        bytes[countOffset] = 0xFF;
        bytes[countOffset + 3] = 0xFF;
        var ex = Assert.Throws<TpmFormatException>(() => EventLogParser.Parse(bytes));
        Assert.Equal("TCG_PCR_EVENT2.digests.count", ex.Field);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    [InlineData(0xFFFF)]
    public void Header_digest_size_of_zero_or_over_64_is_malformed(ushort size)
    {
        var bytes = new EventLogWriter(TpmAlgId.Sha256).HeaderDigestSize(TpmAlgId.Sha256, size).Add(0, TcgEventType.EfiAction, "x"u8.ToArray()).ToArray();
        var ex = Assert.Throws<TpmFormatException>(() => EventLogParser.Parse(bytes));
        Assert.Equal("TCG_EfiSpecIDEvent.digestSizes.digestSize", ex.Field);
    }

    [Fact]
    public void Header_that_lies_about_a_known_digest_size_is_malformed()
    {
        var bytes = new EventLogWriter(TpmAlgId.Sha1, TpmAlgId.Sha256).HeaderDigestSize(TpmAlgId.Sha256, 20).Add(0, TcgEventType.EfiAction, "x"u8.ToArray()).ToArray();
        var ex = Assert.Throws<TpmFormatException>(() => EventLogParser.Parse(bytes));
        Assert.Contains("sha256 digests are 32 bytes, the header says 20", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_algorithm_with_a_lying_size_is_malformed_or_a_mismatch_never_a_crash()
    {
        // 0x00B0 is not a hash the library knows: the header is its only authority, so a wrong size
        // misaligns the events after it. That must surface as a format error, not anything else.
        const TpmAlgId unknown = (TpmAlgId)0x00B0;
        var writer = new EventLogWriter(TpmAlgId.Sha256, unknown).HeaderDigestSize(unknown, 20);
        writer.AddWithDigests(0, TcgEventType.EfiAction, "x"u8.ToArray(), new Dictionary<TpmAlgId, byte[]> { [TpmAlgId.Sha256] = new byte[32], [unknown] = new byte[32] });
        writer.AddWithDigests(1, TcgEventType.EfiAction, "y"u8.ToArray(), new Dictionary<TpmAlgId, byte[]> { [TpmAlgId.Sha256] = new byte[32], [unknown] = new byte[32] });
        var ex = Record.Exception(() => ProcessFully(writer.ToArray()));
        Assert.Null(ex);
        Assert.Throws<TpmFormatException>(() => EventLogParser.Parse(writer.ToArray()));
    }

    [Fact]
    public void Digest_for_an_algorithm_not_in_the_header_is_malformed()
    {
        var bytes = new EventLogWriter(TpmAlgId.Sha256)
            .AddWithDigests(0, TcgEventType.EfiAction, "x"u8.ToArray(), new Dictionary<TpmAlgId, byte[]> { [TpmAlgId.Sha384] = new byte[48] })
            .ToArray();
        var ex = Assert.Throws<TpmFormatException>(() => EventLogParser.Parse(bytes));
        Assert.Contains("not declared in the Spec ID header", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Zero_padding_after_the_last_event_is_tolerated()
    {
        var bytes = EventLogWriter.TypicalUefiBoot(TestCertificates.Db).ToArray();
        var log = EventLogParser.Parse([.. bytes, .. new byte[100]]);
        Assert.Equal(100, log.TrailingPaddingBytes);
        Assert.Equal(EventLogParser.Parse(bytes).Events.Count, log.Events.Count);
    }

    [Fact]
    public void Unknown_event_type_is_kept_raw_and_flagged()
    {
        var writer = new EventLogWriter(TpmAlgId.Sha256).Add(3, (TcgEventType)0x12345678, [1, 2, 3]);
        var log = EventLogParser.Parse(writer.ToArray());
        var e = log.Events[1];
        Assert.Equal("0x12345678", e.TypeName);
        Assert.Equal([1, 2, 3], e.Data);
        Assert.IsType<RawEventData>(EventDataDecoder.Decode(log, e));
        Assert.Contains(BootFactsExtractor.FromUnverified(log).UnusualEvents, u => u.EventIndex == 1);
        Assert.True(EventLogVerifier.Verify(log, writer.ExpectedPcrs()).Succeeded);
    }

    [Fact]
    public void Mutated_real_and_written_logs_give_only_format_errors_within_bounded_time()
    {
        // Deterministic (seeded) flips, inserts and deletes over every real log and a written one;
        // time-boxed so CI stays fast on a shared machine.
        var logs = RealLogs.Names.Select(RealLogs.Read).Append(EventLogWriter.TypicalUefiBoot(TestCertificates.Db).ToArray()).ToArray();
        var random = new Random(20240603);
        var clock = Stopwatch.StartNew();
        var cases = 0;
        while (cases < 20_000 && clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            var mutated = Mutate(logs[cases % logs.Length], random);
            var ex = Record.Exception(() => ProcessFully(mutated));
            Assert.True(ex is null, $"case {cases}: {ex}");
            cases++;
        }

        Assert.True(cases >= 1000, $"only {cases} cases ran");
    }

    internal static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var edits = random.Next(1, 5);
        for (var i = 0; i < edits && bytes.Count > 0; i++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 2:
                    bytes.Insert(at, (byte)random.Next(256));
                    break;
                default:
                    bytes.RemoveAt(at);
                    break;
            }
        }

        return [.. bytes];
    }
}

/// <summary>Property: whatever follows a valid header, processing only ever fails with a format error.</summary>
public class EventLogProperties
{
    private static readonly byte[] Header = new EventLogWriter(TpmAlgId.Sha1, TpmAlgId.Sha256).ToArray();

    [FsCheck.Xunit.Property(MaxTest = 2000)]
    public void Any_bytes_after_a_valid_header_give_a_log_or_a_format_error(byte[] tail)
    {
        MalformedLogTests.ProcessFully([.. Header, .. tail ?? []]);
    }

    [FsCheck.Xunit.Property(MaxTest = 2000)]
    public void Any_bytes_at_all_give_a_log_or_a_format_error(byte[] bytes)
    {
        MalformedLogTests.ProcessFully(bytes ?? []);
    }
}
