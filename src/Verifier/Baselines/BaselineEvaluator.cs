using System.Globalization;
using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.Tpm.Quotes;
using Attest.Tpm.Verification;
using Attest.Verifier.Evidence;
using Attest.Verifier.Firmware;
using Attest.Verifier.Storage;
using Microsoft.Extensions.Options;

namespace Attest.Verifier.Baselines;

/// <summary>
/// Compares an attestation with the node's approved baseline (ARCHITECTURE.md flow 3). Each difference is attributed
/// to a firmware component where it is one (PCR 0/1/2, CRTM version, firmware blobs, drivers). Without an open
/// change window a firmware difference is <c>firmware.unexpected_change</c>; with one, differences in the components
/// it names must come from a fresh boot and match the catalog (and not roll back); anything else that differs is a
/// failure as always.
/// </summary>
internal sealed class BaselineEvaluator(VerifierStore store, FirmwareStore firmware, FirmwareCatalog catalog, IOptions<VerifierOptions> options, TimeProvider clock)
{
    public sealed record Outcome(int? Version, ChangeWindowUse? Window);

    public async Task<Outcome> EvaluateAsync(
        string nodeId,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> pcrs,
        IReadOnlyDictionary<string, string> state,
        QuoteVerificationResult? quote,
        VerificationResult result,
        CancellationToken ct)
    {
        var baseline = await store.GetCurrentBaselineAsync(nodeId, ct);
        if (baseline is null)
        {
            if (options.Value.Baseline.Required)
            {
                result.Fail(AttestationFailureCodes.BaselineMissing, $"node '{nodeId}' has no approved baseline: an operator approves a trusted attestation as its baseline");
            }
            else
            {
                result.Warn("no approved baseline: measurements were not compared");
            }

            return new Outcome(null, null);
        }

        var baselinePcrs = JsonSerializer.Deserialize<Dictionary<string, IReadOnlyDictionary<string, string>>>(baseline.Pcrs) ?? [];
        var baselineState = baseline.Facts is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(baseline.Facts) ?? [];
        var changes = Changes(baselinePcrs, baselineState, pcrs, state);
        var firmwareChanges = changes.Where(c => c.Component is not null).ToArray();
        foreach (var change in changes.Where(c => c.Component is null))
        {
            result.Add(change.ToBaselineFailure());
        }

        if (firmwareChanges.Length == 0)
        {
            return new Outcome((int)baseline.Version, null);
        }

        var window = await firmware.GetOpenWindowAsync(nodeId, clock.GetUtcNow().ToUnixTimeMilliseconds(), ct);
        var allowed = window is null ? [] : JsonSerializer.Deserialize<string[]>(window.Components) ?? [];
        foreach (var change in firmwareChanges.Where(c => !allowed.Contains(c.Component)))
        {
            result.Fail(FirmwareFailureCodes.UnexpectedChange,
                $"{change.Component} changed ({change.Path}) without an open change window naming it",
                change.Path, change.Before, change.After);
        }

        if (window is null)
        {
            return new Outcome((int)baseline.Version, null);
        }

        var resetCount = quote?.Attest?.ClockInfo.ResetCount ?? 0;
        if (resetCount <= window.ResetCountAtOpen)
        {
            result.Fail(FirmwareFailureCodes.WindowEvidenceNotFresh,
                $"change window {window.WindowId} needs a quote from a boot after it opened: the TPM reset count has not advanced",
                "resetCount", $"> {window.ResetCountAtOpen}", resetCount.ToString(CultureInfo.InvariantCulture));
            return new Outcome((int)baseline.Version, new ChangeWindowUse(window.WindowId, window.OpenedBy, window.Reason, Fresh: false, []));
        }

        var targets = JsonSerializer.Deserialize<Dictionary<string, string>>(window.TargetVersions) ?? [];
        var transitions = new List<string>();
        foreach (var component in firmwareChanges.Select(c => c.Component!).Where(allowed.Contains).Distinct())
        {
            var release = catalog.Match(component, state, pcrs);
            if (release is null)
            {
                var detail = string.Join("; ", firmwareChanges.Where(c => c.Component == component).Select(c => $"{c.Path}={c.After}"));
                result.Fail(FirmwareFailureCodes.NotInCatalog, $"the new {component} measurements match no release in the firmware catalog: {detail}",
                    component, "a catalogued release", detail);
                continue;
            }

            if (targets.TryGetValue(component, out var target) && FirmwareCatalog.CompareVersions(release.Version, target) != 0)
            {
                result.Fail(FirmwareFailureCodes.UnexpectedVersion, $"{component} is now {release.Version}, but the change window expected {target}",
                    component, target, release.Version);
            }

            var previous = catalog.Match(component, baselineState, baselinePcrs);
            if (previous is not null && FirmwareCatalog.CompareVersions(release.Version, previous.Version) < 0 && !release.AllowReinstall)
            {
                result.Fail(FirmwareFailureCodes.RollbackRefused,
                    $"{component} went back from {previous.Version} to {release.Version}, and the catalog does not allow reinstalling {release.Version}",
                    component, $">= {previous.Version}", release.Version);
            }

            transitions.Add($"{component} {previous?.Version ?? "(uncatalogued)"} → {release.Version}");
        }

        return new Outcome((int)baseline.Version, new ChangeWindowUse(window.WindowId, window.OpenedBy, window.Reason, Fresh: true, transitions));
    }

    private sealed record Change(string Path, string? Before, string? After, string? Component, bool IsPcr)
    {
        public VerificationFailure ToBaselineFailure() => IsPcr
            ? new(AttestationFailureCodes.BaselinePcrChanged, $"{Path.Replace(":", " PCR ", StringComparison.Ordinal)} differs from the approved baseline") { Subject = Path, Expected = Before, Actual = After }
            : new(AttestationFailureCodes.BaselineFactChanged, $"{Path} differs from the approved baseline") { Subject = Path, Expected = Before, Actual = After };
    }

    private List<Change> Changes(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> baselinePcrs,
        IReadOnlyDictionary<string, string> baselineState,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> pcrs,
        IReadOnlyDictionary<string, string> state)
    {
        var changes = new List<Change>();
        foreach (var (bank, values) in baselinePcrs)
        {
            if (!pcrs.TryGetValue(bank, out var current))
            {
                continue;
            }

            foreach (var pcr in options.Value.Baseline.Pcrs)
            {
                var key = pcr.ToString(CultureInfo.InvariantCulture);
                if (values.TryGetValue(key, out var before) && current.TryGetValue(key, out var after) && !string.Equals(before, after, StringComparison.OrdinalIgnoreCase))
                {
                    changes.Add(new Change($"{bank}:{pcr}", before, after, FirmwareComponents.OfPcr(pcr), IsPcr: true));
                }
            }
        }

        foreach (ValueChange change in BaselineComparer.Diff(baselineState, state))
        {
            changes.Add(new Change(change.Path, change.Before, change.After, FirmwareComponents.OfFact(change.Path), IsPcr: false));
        }

        return changes;
    }
}
