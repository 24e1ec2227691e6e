using System.Globalization;
using Attest.Policies.Documents;
using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.EventLog.Facts;

namespace Attest.Policies.Evaluation;

/// <summary>Judges a measured-boot policy against verified events and the boot facts made from them.</summary>
internal sealed partial class MeasuredBootEvaluator(Policy policy, MeasuredBootRules rules, PolicyEvidence evidence, IFirmwareCatalog? catalog)
{
    private readonly FindingSink _sink = new(policy);

    public IReadOnlyList<PolicyFinding> Evaluate()
    {
        if (evidence.EventLog is not { } verification || evidence.Facts is not { } facts)
        {
            _sink.Add(PolicyFailureCodes.EvidenceMissing, "", "a measured-boot policy applies but no event log was submitted");
            return _sink.Findings;
        }

        var events = new EventIndex(verification.VerifiedEvents);
        Banks(verification);
        Pcrs(verification);
        SecureBoot(facts, events);
        Firmware(facts, events);
        BootApplications(facts, events);
        Kernel(facts, events);
        return _sink.Findings;
    }

    private void Banks(EventLogVerification verification)
    {
        if (rules.PcrBanks is not { } banks)
        {
            return;
        }

        var proven = verification.MatchedPcrs.Select(p => p.Bank.Name()).Distinct().ToArray();
        if (!proven.Any(banks.Contains))
        {
            _sink.Add(PolicyFailureCodes.PcrBankNotAllowed, "/pcrBanks", "no PCR was proven in an accepted bank",
                expected: string.Join(", ", banks), actual: proven.Length == 0 ? "none" : string.Join(", ", proven));
        }
    }

    private void Pcrs(EventLogVerification verification)
    {
        var exact = rules.Pcrs?.Exact ?? [];
        for (var i = 0; i < exact.Count; i++)
        {
            var rule = exact[i];
            var rulePath = $"/pcrs/exact/{i}";
            if (!TpmAlgNames.TryParseHash(rule.Bank, out var bank) || !evidence.QuotedPcrs.TryGetValue(bank, out var values) || !values.TryGetValue(rule.Pcr, out var value))
            {
                _sink.Add(PolicyFailureCodes.PcrNotQuoted, rulePath, $"{rule.Bank} PCR {rule.Pcr} is pinned but was not quoted", expected: rule.Value.ToLowerInvariant(), actual: "not quoted");
                continue;
            }

            var actual = Convert.ToHexStringLower(value);
            if (!string.Equals(actual, rule.Value, StringComparison.OrdinalIgnoreCase))
            {
                _sink.Add(PolicyFailureCodes.PcrValueMismatch, rulePath, $"{rule.Bank} PCR {rule.Pcr} has another value than the policy pins", expected: rule.Value.ToLowerInvariant(), actual: actual);
            }
        }

        var governed = rules.Pcrs?.EventRules ?? [];
        for (var i = 0; i < governed.Count; i++)
        {
            var pcr = governed[i];
            var matched = verification.MatchedPcrs.Any(p => p.Pcr == pcr);
            var mismatched = verification.MismatchedPcrs.Any(p => p.Pcr == pcr);
            if (!matched || mismatched)
            {
                _sink.Add(PolicyFailureCodes.PcrNotVerified, $"/pcrs/eventRules/{i}",
                    string.Create(CultureInfo.InvariantCulture, $"PCR {pcr} is governed by event rules but its events are not proven"),
                    expected: "quoted and replayed", actual: mismatched ? "log does not replay to the quoted value" : "not quoted");
            }
        }
    }

    private void SecureBoot(BootFacts facts, EventIndex events)
    {
        if (rules.SecureBoot is not { } sb)
        {
            return;
        }

        var state = facts.SecureBoot;
        if (sb.Required)
        {
            if (state.Enabled != true)
            {
                _sink.Add(PolicyFailureCodes.SecureBootDisabled, "/secureBoot/required", "Secure Boot is required", events.Variable("SecureBoot"),
                    expected: "enabled", actual: state.Enabled is null ? "not measured" : "disabled");
            }

            if (state.SetupMode == true)
            {
                _sink.Add(PolicyFailureCodes.SecureBootSetupMode, "/secureBoot/required", "the platform is in Setup Mode", events.Variable("SetupMode"), expected: "user mode", actual: "setup mode");
            }
        }

        Database(sb.Pk, state.Pk, "PK", "/secureBoot/pk", PolicyFailureCodes.PkNotAllowed, events);
        Database(sb.Kek, state.Kek, "KEK", "/secureBoot/kek", PolicyFailureCodes.KekEntryNotAllowed, events);
        Database(sb.Db, state.Db, "db", "/secureBoot/db", PolicyFailureCodes.DbEntryNotAllowed, events);
        if (sb.Dbx is { } dbx)
        {
            if (state.Dbx is not { } actual)
            {
                _sink.Add(PolicyFailureCodes.SecureBootVariableMissing, "/secureBoot/dbx", "dbx rules exist but dbx was not measured", expected: "dbx measured", actual: "absent");
                return;
            }

            var at = events.Variable("dbx");
            var present = DigestText.Set(actual.Hashes);
            var required = dbx.RequiredHashes ?? [];
            for (var i = 0; i < required.Count; i++)
            {
                if (!present.Contains(DigestText.Normalize(required[i])))
                {
                    _sink.Add(PolicyFailureCodes.DbxHashMissing, $"/secureBoot/dbx/requiredHashes/{i}", "a required revocation is missing from dbx", at,
                        expected: DigestText.Normalize(required[i]), actual: $"absent among {actual.HashCount} dbx hash(es)");
                }
            }

            if (dbx.MinimumHashCount is { } minimum && actual.HashCount < minimum)
            {
                _sink.Add(PolicyFailureCodes.DbxTooOld, "/secureBoot/dbx/minimumHashCount", "dbx has fewer revocations than required", at,
                    expected: string.Create(CultureInfo.InvariantCulture, $">= {minimum} hashes"), actual: actual.HashCount.ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    private void Database(IReadOnlyList<string>? allowed, SignatureDatabaseFacts? actual, string variable, string rule, string code, EventIndex events)
    {
        if (allowed is null)
        {
            return;
        }

        var at = events.Variable(variable);
        if (actual is null)
        {
            _sink.Add(PolicyFailureCodes.SecureBootVariableMissing, rule, $"{variable} entries are restricted but {variable} was not measured", at, expected: $"{variable} measured", actual: "absent");
            return;
        }

        var set = DigestText.Set(allowed);
        foreach (var cert in actual.Certificates)
        {
            if (!set.Contains(cert.Sha256Thumbprint.ToLowerInvariant()))
            {
                _sink.Add(code, rule, $"{variable} holds a certificate the policy does not allow: {cert.Subject ?? "(no subject)"}", at,
                    expected: "one of the listed thumbprints", actual: cert.Sha256Thumbprint.ToLowerInvariant());
            }
        }

        foreach (var hash in actual.Hashes)
        {
            if (!set.Contains(hash.ToLowerInvariant()))
            {
                _sink.Add(code, rule, $"{variable} holds a hash entry the policy does not allow", at, expected: "one of the listed hashes", actual: hash.ToLowerInvariant());
            }
        }
    }
}
