using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;

namespace Attest.Tpm.Tests.EventLog;

/// <summary>Every change to a log after the fact is caught as a PCR mismatch on the PCR it touches.</summary>
public class TamperingTests
{
    private static EventLogWriter Boot() => EventLogWriter.TypicalUefiBoot(TestCertificates.Db);

    private static EventLogVerification VerifyAgainst(EventLogWriter quotedFrom, EventLogWriter logFrom) =>
        EventLogVerifier.Verify(EventLogParser.Parse(logFrom.ToArray()), quotedFrom.ExpectedPcrs());

    private static int IndexOf(EventLogWriter w, TcgEventType type, uint pcr) =>
        w.Events.Select((e, i) => (e, i)).First(x => x.e.Type == type && x.e.Pcr == pcr).i;

    [Fact]
    public void Untouched_log_verifies_and_every_extended_event_is_proven()
    {
        var boot = Boot();
        var log = EventLogParser.Parse(boot.ToArray());

        var result = EventLogVerifier.Verify(log, boot.ExpectedPcrs());

        Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => f.Message)));
        Assert.Equal(log.Events.Count(e => e.IsExtended), result.VerifiedEvents.Count);
        Assert.Empty(result.MismatchedPcrs);
    }

    [Fact]
    public void Edited_event_is_caught_on_its_pcr()
    {
        var boot = Boot();
        var tampered = boot.Clone();
        var i = IndexOf(boot, TcgEventType.EfiBootServicesApplication, 4);
        var original = boot.Events[i];
        tampered.Replace(i, original with { Digests = original.Digests.ToDictionary(d => d.Key, d => TpmHash.Compute(d.Key, "evil shim"u8)) });

        var result = VerifyAgainst(boot, tampered);

        AssertMismatchOnlyOn(result, 4);
        Assert.DoesNotContain(result.VerifiedEvents, e => e.PcrIndex == 4);
        Assert.Contains(result.VerifiedEvents, e => e.PcrIndex == 7);
    }

    [Fact]
    public void Inserted_event_is_caught_on_its_pcr()
    {
        var boot = Boot();
        var tampered = boot.Clone();
        var i = IndexOf(boot, TcgEventType.Separator, 7);
        var extra = new EventLogWriter();
        extra.Add(7, TcgEventType.EfiVariableDriverConfig, EventLogWriter.UefiVariable(new Guid("8be4df61-93ca-11d2-aa0d-00e098032b8c"), "SecureBoot", [1]));
        tampered.Insert(i, extra.Events[0]);

        var result = VerifyAgainst(boot, tampered);

        AssertMismatchOnlyOn(result, 7);
    }

    [Fact]
    public void Removed_event_is_caught_on_its_pcr()
    {
        var boot = Boot();
        var tampered = boot.Clone().RemoveAt(IndexOf(boot, TcgEventType.EfiVariableDriverConfig, 7));

        var result = VerifyAgainst(boot, tampered);

        AssertMismatchOnlyOn(result, 7);
        var failure = Assert.Single(result.Failures, f => f.Bank == TpmAlgId.Sha256);
        Assert.Equal(EventLogFailureCodes.PcrMismatch, failure.Code);
        Assert.Equal(7, failure.Pcr);
        Assert.Equal(Convert.ToHexStringLower(boot.ExpectedPcrs()[TpmAlgId.Sha256][7]), failure.Expected);
        Assert.NotEqual(failure.Expected, failure.Actual);
    }

    [Fact]
    public void Reordered_events_on_one_pcr_are_caught_on_that_pcr()
    {
        var boot = Boot();
        var tampered = boot.Clone();
        var apps = boot.Events.Select((e, i) => (e, i)).Where(x => x.e.Type == TcgEventType.EfiBootServicesApplication).Select(x => x.i).ToArray();
        tampered.Replace(apps[0], boot.Events[apps[1]]).Replace(apps[1], boot.Events[apps[0]]);

        var result = VerifyAgainst(boot, tampered);

        AssertMismatchOnlyOn(result, 4);
    }

    [Fact]
    public void Event_moved_to_another_pcr_is_caught_on_both()
    {
        var boot = Boot();
        var tampered = boot.Clone();
        var i = IndexOf(boot, TcgEventType.EfiBootServicesApplication, 4);
        tampered.Replace(i, boot.Events[i] with { Pcr = 5 });

        var result = VerifyAgainst(boot, tampered);

        Assert.Equal([4, 5], result.MismatchedPcrs.Select(p => p.Pcr).Distinct().Order());
    }

    [Fact]
    public void Appended_events_the_tpm_did_not_see_are_located_by_the_last_matching_event()
    {
        var boot = Boot();
        var quoted = boot.ExpectedPcrs();
        var longer = boot.Clone().AddMeasuring(4, TcgEventType.EfiBootServicesApplication, EventLogWriter.ImageLoad(0, 1, EventLogWriter.FilePath("\\x.efi")), "x"u8.ToArray());
        // Parsed event indices count the Spec ID header as 0, so writer index i is event i + 1.
        var lastIndex = boot.Events.Select((e, i) => (e, i)).Last(x => x.e.Pcr == 4).i + 1;

        var result = EventLogVerifier.Verify(EventLogParser.Parse(longer.ToArray()), quoted);

        var failure = Assert.Single(result.Failures, f => f.Bank == TpmAlgId.Sha256);
        Assert.Equal(4, failure.Pcr);
        Assert.Equal(lastIndex, failure.LastMatchingEventIndex);
    }

    [Fact]
    public void Truncated_log_missing_events_is_a_mismatch_without_a_matching_prefix()
    {
        var boot = Boot();
        var shorter = boot.Clone().RemoveAt(boot.Events.Count - 1);

        var result = VerifyAgainst(boot, shorter);

        var failure = Assert.Single(result.Failures, f => f.Bank == TpmAlgId.Sha256);
        Assert.Equal(8, failure.Pcr);
        Assert.Null(failure.LastMatchingEventIndex);
    }

    [Fact]
    public void Altered_variable_data_under_a_genuine_digest_is_caught_as_data_mismatch()
    {
        var boot = Boot();
        var tampered = boot.Clone();
        var i = IndexOf(boot, TcgEventType.EfiVariableDriverConfig, 7); // SecureBoot = 1
        var original = boot.Events[i];
        var data = (byte[])original.Data.Clone();
        data[^1] = 0; // claim SecureBoot = 0 while keeping the replaying digest
        tampered.Replace(i, original with { Data = data });

        var result = VerifyAgainst(boot, tampered);

        var failure = Assert.Single(result.Failures);
        Assert.Equal(EventLogFailureCodes.EventDataMismatch, failure.Code);
        Assert.Equal(i + 1, failure.EventIndex);
        Assert.DoesNotContain(result.VerifiedEvents, e => e.Index == i + 1);
    }

    [Fact]
    public void Pcrs_not_in_the_quote_are_reported_as_not_verified()
    {
        var boot = Boot();
        var quoted = boot.ExpectedPcrs();
        quoted[TpmAlgId.Sha256] = quoted[TpmAlgId.Sha256].Where(p => p.Key != 8 && p.Key != 9).ToDictionary();
        quoted[TpmAlgId.Sha1] = quoted[TpmAlgId.Sha1].Where(p => p.Key != 8 && p.Key != 9).ToDictionary();

        var result = EventLogVerifier.Verify(EventLogParser.Parse(boot.ToArray()), quoted);

        Assert.True(result.Succeeded);
        Assert.Equal([8, 9], result.UnverifiedPcrs);
        Assert.DoesNotContain(result.VerifiedEvents, e => e.PcrIndex is 8 or 9);
    }

    [Fact]
    public void Quoted_bank_the_log_lacks_is_bank_missing()
    {
        var boot = new EventLogWriter(TpmAlgId.Sha256).Add(0, TcgEventType.Separator, EventLogWriter.Separator());
        var quoted = boot.ExpectedPcrs();
        quoted[TpmAlgId.Sha384] = new Dictionary<int, byte[]> { [0] = new byte[48] };

        var result = EventLogVerifier.Verify(EventLogParser.Parse(boot.ToArray()), quoted);

        var failure = Assert.Single(result.Failures);
        Assert.Equal(EventLogFailureCodes.BankMissing, failure.Code);
        Assert.Equal(TpmAlgId.Sha384, failure.Bank);
        Assert.Empty(result.VerifiedEvents);
    }

    [Fact]
    public void Event_without_a_digest_for_a_quoted_bank_is_digest_missing()
    {
        var boot = new EventLogWriter(TpmAlgId.Sha1, TpmAlgId.Sha256)
            .Add(0, TcgEventType.Separator, EventLogWriter.Separator())
            .AddWithDigests(0, TcgEventType.EfiAction, "x"u8.ToArray(), new Dictionary<TpmAlgId, byte[]> { [TpmAlgId.Sha1] = TpmHash.Compute(TpmAlgId.Sha1, "x"u8) });
        var quoted = new Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>> { [TpmAlgId.Sha256] = new Dictionary<int, byte[]> { [0] = new byte[32] } };

        var result = EventLogVerifier.Verify(EventLogParser.Parse(boot.ToArray()), quoted);

        Assert.Equal(EventLogFailureCodes.DigestMissing, Assert.Single(result.Failures).Code);
    }

    [Fact]
    public void Startup_locality_three_sets_pcr0_initial_value()
    {
        var boot = new EventLogWriter(TpmAlgId.Sha256).StartupLocality(3).Add(0, TcgEventType.SCrtmVersion, EventLogWriter.Utf16("1.0"));
        var log = EventLogParser.Parse(boot.ToArray());

        Assert.Equal(3, log.StartupLocality);
        var initial = new byte[32];
        initial[31] = 3;
        var expected = TpmHash.Compute(TpmAlgId.Sha256, [.. initial, .. TpmHash.Compute(TpmAlgId.Sha256, EventLogWriter.Utf16("1.0"))]);
        Assert.Equal(expected, EventLogReplay.Replay(log).Bank(TpmAlgId.Sha256)!.Pcrs[0]);
        Assert.True(EventLogVerifier.Verify(log, boot.ExpectedPcrs()).Succeeded);
    }

    [Fact]
    public void Startup_locality_ignored_would_be_a_mismatch_on_pcr0()
    {
        var boot = new EventLogWriter(TpmAlgId.Sha256).StartupLocality(3).Add(0, TcgEventType.SCrtmVersion, EventLogWriter.Utf16("1.0"));
        var withoutLocality = new EventLogWriter(TpmAlgId.Sha256).Add(0, TcgEventType.SCrtmVersion, EventLogWriter.Utf16("1.0"));

        var result = VerifyAgainst(boot, withoutLocality);

        Assert.Equal(0, Assert.Single(result.Failures).Pcr);
    }

    [Fact]
    public void Empty_quote_trusts_nothing()
    {
        var result = EventLogVerifier.Verify(EventLogParser.Parse(Boot().ToArray()), new Dictionary<TpmAlgId, IReadOnlyDictionary<int, byte[]>>());
        Assert.Equal(EventLogFailureCodes.NothingQuoted, Assert.Single(result.Failures).Code);
        Assert.Empty(result.VerifiedEvents);
    }

    private static void AssertMismatchOnlyOn(EventLogVerification result, int pcr)
    {
        Assert.False(result.Succeeded);
        Assert.All(result.Failures, f => Assert.Equal(EventLogFailureCodes.PcrMismatch, f.Code));
        Assert.Equal([pcr], result.Failures.Select(f => f.Pcr!.Value).Distinct());
        Assert.Equal([TpmAlgId.Sha1, TpmAlgId.Sha256], result.Failures.Select(f => f.Bank!.Value).Order());
    }
}
