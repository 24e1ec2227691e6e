using System.Net;
using System.Net.Http.Json;
using System.Text;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Storage;
using Attest.ServiceDefaults.Tests.Storage;
using Attest.Tpm.Algorithms;
using Attest.Tpm.EventLog;
using Attest.Tpm.Tests.EventLog;

namespace Attest.EndToEnd.Tests;

/// <summary>
/// ARCHITECTURE.md flow 3 with swtpm nodes: firmware "version A" is the baseline; a change window, a reboot into
/// "version B", and the re-measurement rules — each refusal naming component, old and new values, and the rule.
/// </summary>
public sealed class FirmwareUpdateTests
{
    private const string Catalog = """
        kind: firmware-catalog
        name: simulated-platform
        description: Releases of the simulated platform firmware used in tests
        releases:
          - component: system-firmware
            vendor: Simulated
            version: "1.0.0"
            crtmVersion: "1.0.0"
            digests: { sha256: [ "{{1.0.0}}" ] }
          - component: system-firmware
            version: "1.1.0"
            allowReinstall: true
            crtmVersion: "1.1.0"
            digests: { sha256: [ "{{1.1.0}}" ] }
          - component: system-firmware
            version: "1.2.3"
            crtmVersion: "1.2.3"
            digests: { sha256: [ "{{1.2.3}}" ] }
          - component: system-firmware
            version: "2.0.0"
            crtmVersion: "2.0.0"
            digests: { sha256: [ "{{2.0.0}}" ] }
        """;

    private static string BlobData(string version) => SimulatedNode.FirmwareVolume(version);

    private static EventLogWriter Boot(string version, bool changeDb = false) => SimulatedNode.FirmwareBoot(version, changeDb);

    private static async Task<(AttestStack Stack, SimulatedNode Node)> NodeOnVersionAAsync(DatabaseProvider provider)
    {
        var stack = await AttestStack.StartAsync(provider, await TpmCaFolder.SwtpmLocalCaAsync());
        var node = await SimulatedNode.StartAsync();
        await node.RebootAsync(Boot("1.2.3"));
        await node.EnrollAsync(stack);
        var first = await node.AttestAsync(stack);
        var approve = await stack.Verifier(AttestStack.AdminKey).PostAsJsonAsync($"v1/nodes/{node.NodeId}/baselines", new ApproveBaselineRequest(first.AttestationId, "racked"));
        Assert.Equal(HttpStatusCode.Created, approve.StatusCode);
        var document = Catalog;
        foreach (var version in new[] { "1.0.0", "1.1.0", "1.2.3", "2.0.0" })
        {
            document = document.Replace("{{" + version + "}}", Convert.ToHexStringLower(TpmHash.Compute(TpmAlgId.Sha256, Encoding.ASCII.GetBytes(BlobData(version)))), StringComparison.Ordinal);
        }

        var upload = await stack.Verifier(AttestStack.AdminKey).PutAsync("v1/firmware/catalogs/simulated-platform", new StringContent(document, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        return (stack, node);
    }

    private static async Task<ChangeWindow> OpenWindowAsync(AttestStack stack, string nodeId, string? target = null, int? minutes = null)
    {
        var response = await stack.Verifier(AttestStack.AdminKey).PostAsJsonAsync($"v1/nodes/{nodeId}/change-windows", new OpenChangeWindowRequest(
            ["system-firmware"], "BIOS update, change CHG-42", target is null ? null : new Dictionary<string, string> { ["system-firmware"] = target }, minutes));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ChangeWindow>())!;
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Approved_update_passes_and_moves_the_baseline(DatabaseProvider provider)
    {
        var (stack, node) = await NodeOnVersionAAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        var window = await OpenWindowAsync(stack, node.NodeId, target: "2.0.0");
        await node.RebootAsync(Boot("2.0.0"));

        var updated = await node.AttestAsync(stack);
        var again = await node.AttestAsync(stack);

        Assert.True(updated.Passed, string.Join("; ", updated.Failures.Select(f => $"{f.Code}: {f.Message}")));
        Assert.True(again.Passed, string.Join("; ", again.Failures.Select(f => f.Code)));
        Assert.Equal(2, again.BaselineVersion);
        var baselines = await stack.Verifier(AttestStack.AuditorKey).GetFromJsonAsync<BaselineRecord[]>($"v1/nodes/{node.NodeId}/baselines") ?? [];
        Assert.Equal([1, 2], baselines.Select(b => b.Version));
        Assert.Equal("e2e-admin", baselines[1].ApprovedBy);
        Assert.Contains("system-firmware 1.2.3 → 2.0.0", baselines[1].Reason, StringComparison.Ordinal);
        Assert.Contains("CHG-42", baselines[1].Reason, StringComparison.Ordinal);
        var windows = await stack.Verifier(AttestStack.AuditorKey).GetFromJsonAsync<ChangeWindow[]>($"v1/nodes/{node.NodeId}/change-windows") ?? [];
        var closed = Assert.Single(windows, w => w.WindowId == window.WindowId);
        Assert.Equal("completed", closed.State);
        Assert.Equal(updated.AttestationId, closed.AttestationId);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Update_without_a_window_fails_naming_component_and_values(DatabaseProvider provider)
    {
        var (stack, node) = await NodeOnVersionAAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        await node.RebootAsync(Boot("2.0.0"));

        var verdict = await node.AttestAsync(stack);

        var version = Assert.Single(verdict.Failures, f => f.Subject == "firmware.crtmVersions");
        Assert.Equal(FirmwareCodes.UnexpectedChange, version.Code);
        Assert.Equal(("1.2.3", "2.0.0"), (version.Expected, version.Actual));
        Assert.Contains(verdict.Failures, f => f.Code == FirmwareCodes.UnexpectedChange && f.Subject == "sha256:0");
        Assert.All(verdict.Failures, f => Assert.Equal(FirmwareCodes.UnexpectedChange, f.Code));
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Update_to_an_uncatalogued_firmware_fails(DatabaseProvider provider)
    {
        var (stack, node) = await NodeOnVersionAAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        await OpenWindowAsync(stack, node.NodeId);
        await node.RebootAsync(Boot("6.6.6-evil"));

        var verdict = await node.AttestAsync(stack);

        var failure = Assert.Single(verdict.Failures);
        Assert.Equal(FirmwareCodes.NotInCatalog, failure.Code);
        Assert.Equal("system-firmware", failure.Subject);
        Assert.Contains("6.6.6-evil", failure.Actual, StringComparison.Ordinal);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Update_that_also_changes_secure_boot_db_fails(DatabaseProvider provider)
    {
        var (stack, node) = await NodeOnVersionAAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        await OpenWindowAsync(stack, node.NodeId, target: "2.0.0");
        await node.RebootAsync(Boot("2.0.0", changeDb: true));

        var verdict = await node.AttestAsync(stack);

        Assert.False(verdict.Passed);
        Assert.Contains(verdict.Failures, f => f.Code == "baseline.pcr_changed" && f.Subject == "sha256:7");
        Assert.Contains(verdict.Failures, f => f.Code == "baseline.fact_changed" && f.Subject == "secureBoot.db");
        Assert.DoesNotContain(verdict.Failures, f => f.Code.StartsWith("firmware.", StringComparison.Ordinal));
        var baselines = await stack.Verifier(AttestStack.AuditorKey).GetFromJsonAsync<BaselineRecord[]>($"v1/nodes/{node.NodeId}/baselines");
        Assert.Single(baselines!);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Downgrade_fails_unless_the_catalog_allows_reinstalling(DatabaseProvider provider)
    {
        var (stack, node) = await NodeOnVersionAAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        await OpenWindowAsync(stack, node.NodeId);
        await node.RebootAsync(Boot("1.0.0"));

        var refused = await node.AttestAsync(stack);
        await OpenWindowAsync(stack, node.NodeId);
        await node.RebootAsync(Boot("1.1.0"));
        var allowed = await node.AttestAsync(stack);

        var rollback = Assert.Single(refused.Failures);
        Assert.Equal(FirmwareCodes.RollbackRefused, rollback.Code);
        Assert.Equal((">= 1.2.3", "1.0.0"), (rollback.Expected, rollback.Actual));
        Assert.True(allowed.Passed, string.Join("; ", allowed.Failures.Select(f => f.Code)));
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Expired_window_no_longer_covers_the_update(DatabaseProvider provider)
    {
        var (stack, node) = await NodeOnVersionAAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        await OpenWindowAsync(stack, node.NodeId, minutes: 10);
        stack.Clock.Advance(TimeSpan.FromMinutes(11));
        await node.RebootAsync(Boot("2.0.0"));

        var verdict = await node.AttestAsync(stack);

        Assert.Contains(verdict.Failures, f => f.Code == FirmwareCodes.UnexpectedChange);
        var windows = await stack.Verifier(AttestStack.AuditorKey).GetFromJsonAsync<ChangeWindow[]>($"v1/nodes/{node.NodeId}/change-windows");
        Assert.Equal("expired", windows![0].State);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Evidence_from_a_boot_seen_before_the_window_opened_cannot_close_it(DatabaseProvider provider)
    {
        var (stack, node) = await NodeOnVersionAAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        await node.RebootAsync(Boot("2.0.0"));
        var before = await node.AttestAsync(stack); // the verifier sees this boot before any window
        var window = await OpenWindowAsync(stack, node.NodeId, target: "2.0.0");

        var stale = await node.AttestAsync(stack);
        await node.RebootAsync(Boot("2.0.0"));
        var fresh = await node.AttestAsync(stack);

        Assert.Contains(before.Failures, f => f.Code == FirmwareCodes.UnexpectedChange);
        var failure = Assert.Single(stale.Failures);
        Assert.Equal(FirmwareCodes.WindowEvidenceNotFresh, failure.Code);
        Assert.True(fresh.Passed, string.Join("; ", fresh.Failures.Select(f => f.Code)));
        var windows = await stack.Verifier(AttestStack.AuditorKey).GetFromJsonAsync<ChangeWindow[]>($"v1/nodes/{node.NodeId}/change-windows");
        Assert.Equal(fresh.AttestationId, Assert.Single(windows!, w => w.WindowId == window.WindowId).AttestationId);
    }

    [Fact]
    public async Task Invalid_catalog_upload_is_refused_whole_with_every_problem_named()
    {
        await using var stack = await AttestStack.StartAsync(DatabaseProvider.Sqlite, TpmCaFolder.Unrelated());
        const string bad = """
            kind: firmware-catalog
            name: broken
            releases:
              - component: bios
                version: "1.0"
              - component: system-firmware
                version: "2.0"
                digests: { sha256: [ "abcd" ] }
            """;

        var response = await stack.Verifier(AttestStack.AdminKey).PutAsync("v1/firmware/catalogs/broken", new StringContent(bad, Encoding.UTF8, "application/yaml"));
        var catalogs = await stack.Verifier(AttestStack.AuditorKey).GetStringAsync("v1/firmware/catalogs");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var detail = await response.Content.ReadAsStringAsync();
        Assert.Contains("releases[0].component", detail, StringComparison.Ordinal);
        Assert.Contains("releases[1].digests.sha256", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("broken", catalogs, StringComparison.Ordinal);
    }

    private static class FirmwareCodes
    {
        public const string UnexpectedChange = "firmware.unexpected_change";
        public const string NotInCatalog = "firmware.not_in_catalog";
        public const string RollbackRefused = "firmware.rollback_refused";
        public const string WindowEvidenceNotFresh = "firmware.window_evidence_not_fresh";
    }
}
