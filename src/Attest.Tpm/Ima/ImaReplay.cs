using Attest.Tpm.Algorithms;

namespace Attest.Tpm.Ima;

/// <summary>
/// Replays an IMA log into PCR values, per bank and per PCR named by each entry, and checks each
/// entry's template hash against its data. Failures are returned with stable codes, never thrown.
/// </summary>
public static class ImaReplay
{
    public static ImaReplayResult Replay(ImaLog log, ImaReplayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(log);
        options ??= new ImaReplayOptions();
        var failures = new FailureList(options.MaxFailures);
        var expected = options.ExpectedPcrs;
        var banks = (options.Banks ?? options.Start?.Banks ?? [log.TemplateHashAlgorithm]).Concat(expected?.Keys ?? []).Distinct().ToArray();
        var start = options.Start ?? ImaPcrState.Initial(banks);
        var startCount = start.EntryCount;
        var end = log.FirstIndex + log.Entries.Count;

        foreach (var bank in banks.Append(log.TemplateHashAlgorithm).Distinct())
        {
            var needed = banks.Contains(bank) || options.VerifyTemplateHashes;
            if (needed && !TpmHash.CanCompute(bank))
            {
                failures.Add(new ImaFailure(ImaFailureCodes.AlgorithmUnsupported, $"hash algorithm {bank.Name()} is not available") { Bank = bank });
            }
            else if (banks.Contains(bank) && !start.HasBank(bank))
            {
                failures.Add(new ImaFailure(ImaFailureCodes.StateBankMissing, $"the stored state has no {bank.Name()} bank") { Bank = bank });
            }
        }

        if (log.FirstIndex > startCount)
        {
            failures.Add(new ImaFailure(ImaFailureCodes.LogGap, $"the log starts at entry {log.FirstIndex} but the stored state ends at entry {startCount}"));
        }
        else if (end < startCount)
        {
            failures.Add(new ImaFailure(ImaFailureCodes.LogShorterThanState, $"the log has {end} entries but the stored state already covers {startCount}"));
        }

        if (failures.Count > 0)
        {
            return new ImaReplayResult(start, failures.Items, startCount, 0, []);
        }

        var work = new (TpmAlgId Bank, byte[]?[] Pcrs)[banks.Length];
        var hashers = new ImaTemplateHash[banks.Length];
        ImaTemplateHash? logHasher = null;
        ImaTemplateHash? sha1Hasher = null;
        var unverified = new List<int>();
        try
        {
            for (var b = 0; b < banks.Length; b++)
            {
                var pcrs = new byte[]?[ImaLimits.MaxPcrIndex + 1];
                foreach (var pcr in start.ExtendedPcrs(banks[b]))
                {
                    pcrs[pcr] = start.GetPcr(banks[b], pcr);
                }

                work[b] = (banks[b], pcrs);
                hashers[b] = new ImaTemplateHash(banks[b]);
                if (banks[b] == log.TemplateHashAlgorithm)
                {
                    logHasher = hashers[b];
                }

                if (banks[b] == TpmAlgId.Sha1)
                {
                    sha1Hasher = hashers[b];
                }
            }

            var ownLogHasher = logHasher is null && options.VerifyTemplateHashes;
            if (ownLogHasher)
            {
                logHasher = new ImaTemplateHash(log.TemplateHashAlgorithm);
            }

            var ownSha1Hasher = sha1Hasher is null && options.BankDigestRule == ImaBankDigestRule.PaddedSha1;
            if (ownSha1Hasher)
            {
                sha1Hasher = new ImaTemplateHash(TpmAlgId.Sha1);
            }

            var trackPrefix = expected is not null && options.AllowUnquotedTail;
            ImaPcrState? quotedState = trackPrefix && Matches(work, expected!) ? ImaPcrState.FromReplay(startCount, work) : null;

            Span<byte> computed = stackalloc byte[64];
            Span<byte> digestBuffer = stackalloc byte[64];
            for (var i = startCount - log.FirstIndex; i < log.Entries.Count; i++)
            {
                var entry = log.Entries[i];
                var violation = entry.IsViolation;
                if (options.VerifyTemplateHashes && !violation)
                {
                    var logged = entry.TemplateHash.Span;
                    if (!logHasher!.TryCompute(entry, computed[..logged.Length]))
                    {
                        unverified.Add(entry.Index);
                    }
                    else if (!computed[..logged.Length].SequenceEqual(logged))
                    {
                        failures.Add(new ImaFailure(
                            ImaFailureCodes.TemplateHashMismatch,
                            $"entry {entry.Index} ({entry.FileName ?? entry.TemplateName}): template hash does not match its template data")
                        {
                            EntryIndex = entry.Index,
                            Pcr = entry.Pcr,
                            Bank = log.TemplateHashAlgorithm,
                            Expected = Convert.ToHexStringLower(logged),
                            Actual = Convert.ToHexStringLower(computed[..logged.Length]),
                        });
                    }
                }

                for (var b = 0; b < work.Length; b++)
                {
                    var (bank, pcrs) = work[b];
                    var hasher = hashers[b];
                    var digest = digestBuffer[..hasher.Size];
                    if (!BankDigest(entry, log.TemplateHashAlgorithm, bank, hasher, sha1Hasher, options.BankDigestRule, digest))
                    {
                        failures.Add(new ImaFailure(
                            ImaFailureCodes.BankNotComputable,
                            $"entry {entry.Index}: the {bank.Name()} template hash cannot be computed for template {entry.TemplateName} from an ASCII log")
                        {
                            EntryIndex = entry.Index,
                            Pcr = entry.Pcr,
                            Bank = bank,
                        });
                        continue;
                    }

                    hasher.Extend(pcrs[entry.Pcr] ??= new byte[hasher.Size], digest);
                }

                if (trackPrefix && Matches(work, expected!))
                {
                    quotedState = ImaPcrState.FromReplay(entry.Index + 1, work);
                }
            }

            if (ownLogHasher)
            {
                logHasher!.Dispose();
            }

            if (ownSha1Hasher)
            {
                sha1Hasher!.Dispose();
            }

            var state = ImaPcrState.FromReplay(end, work);
            var unquoted = 0;
            if (expected is not null && !Matches(work, expected))
            {
                if (quotedState is not null)
                {
                    unquoted = end - quotedState.EntryCount;
                    state = quotedState;
                }
                else
                {
                    ReportMismatches(work, expected, failures);
                }
            }

            return new ImaReplayResult(state, failures.Items, startCount, unquoted, unverified);
        }
        finally
        {
            foreach (var hasher in hashers)
            {
                hasher?.Dispose();
            }
        }
    }

    /// <summary>The digest bank <paramref name="bank"/> is extended with for one entry.</summary>
    private static bool BankDigest(
        ImaEntry entry, TpmAlgId logBank, TpmAlgId bank, ImaTemplateHash hasher, ImaTemplateHash? sha1Hasher, ImaBankDigestRule rule, Span<byte> digest)
    {
        if (rule == ImaBankDigestRule.PaddedSha1)
        {
            digest.Clear();
            var sha1 = digest[..Math.Min(20, digest.Length)];
            if (entry.IsViolation)
            {
                sha1.Fill(0xFF);
                return true;
            }

            if (logBank == TpmAlgId.Sha1)
            {
                entry.TemplateHash.Span.CopyTo(sha1);
                return true;
            }

            Span<byte> full = stackalloc byte[20];
            if (!sha1Hasher!.TryCompute(entry, full))
            {
                return false;
            }

            full[..sha1.Length].CopyTo(sha1);
            return true;
        }

        // ima_queue.c ima_add_template_entry: a violation is logged as zeros but extended as all-0xFF
        // (ima_init_crypto fills the violation digests with 0xFF for every bank).
        if (entry.IsViolation)
        {
            digest.Fill(0xFF);
            return true;
        }

        if (bank == logBank)
        {
            // Extend with what the log says: if the data was edited the template-hash check reports it,
            // and the PCR still matches, pointing at the entry rather than at the whole log.
            entry.TemplateHash.Span.CopyTo(digest);
            return true;
        }

        return hasher.TryCompute(entry, digest);
    }

    private static bool Matches((TpmAlgId Bank, byte[]?[] Pcrs)[] work, IReadOnlyDictionary<TpmAlgId, IReadOnlyDictionary<uint, byte[]>> expected)
    {
        foreach (var (bank, pcrs) in work)
        {
            if (!expected.TryGetValue(bank, out var values))
            {
                continue;
            }

            foreach (var (pcr, value) in values)
            {
                var actual = pcr <= ImaLimits.MaxPcrIndex ? pcrs[pcr] : null;
                if (actual is null ? value.AsSpan().ContainsAnyExcept((byte)0) : !actual.AsSpan().SequenceEqual(value))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static void ReportMismatches(
        (TpmAlgId Bank, byte[]?[] Pcrs)[] work, IReadOnlyDictionary<TpmAlgId, IReadOnlyDictionary<uint, byte[]>> expected, FailureList failures)
    {
        foreach (var (bank, pcrs) in work)
        {
            if (!expected.TryGetValue(bank, out var values))
            {
                continue;
            }

            foreach (var (pcr, value) in values.OrderBy(v => v.Key))
            {
                var actual = (pcr <= ImaLimits.MaxPcrIndex ? pcrs[pcr] : null) ?? new byte[TpmHash.DigestSize(bank)];
                if (!actual.AsSpan().SequenceEqual(value))
                {
                    failures.Add(new ImaFailure(ImaFailureCodes.PcrMismatch, $"PCR {pcr} ({bank.Name()}): the log does not replay to the quoted value")
                    {
                        Pcr = pcr,
                        Bank = bank,
                        Expected = Convert.ToHexStringLower(value),
                        Actual = Convert.ToHexStringLower(actual),
                    });
                }
            }
        }
    }

    private sealed class FailureList(int max)
    {
        private readonly List<ImaFailure> _items = [];
        private int _dropped;

        public int Count => _items.Count;

        public IReadOnlyList<ImaFailure> Items
        {
            get
            {
                if (_dropped > 0)
                {
                    _items.Add(new ImaFailure(ImaFailureCodes.TooManyFailures, $"{_dropped} further failure(s) not listed"));
                    _dropped = 0;
                }

                return _items;
            }
        }

        public void Add(ImaFailure failure)
        {
            if (_items.Count < max)
            {
                _items.Add(failure);
            }
            else
            {
                _dropped++;
            }
        }
    }
}
