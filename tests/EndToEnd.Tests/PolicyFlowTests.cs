using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Attest.Contracts.Verifier;
using Attest.ServiceDefaults.Storage;
using Attest.ServiceDefaults.Tests.Storage;

namespace Attest.EndToEnd.Tests;

/// <summary>
/// Policies through the verifier's HTTP API on a swtpm node, on SQLite and PostgreSQL: a bound policy fails an
/// attestation with its own code and passes once fixed; dry-runs say what a change would break; a policy that fails
/// validation changes nothing.
/// </summary>
public sealed class PolicyFlowTests
{
    // The shipped example for this very boot (policies/swtpm-simulated-boot.yaml): it must accept it.
    private static readonly Lazy<string> SimulatedBootPolicy = new(() => File.ReadAllText(RepositoryFile("policies", "swtpm-simulated-boot.yaml")));

    private static string RepositoryFile(params string[] parts)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Attest.sln")))
            {
                return Path.Combine([dir.FullName, .. parts]);
            }
        }

        throw new InvalidOperationException("Attest.sln not found");
    }

    /// <summary>The example with "ro" moved from required to forbidden: a mistake this boot's command line exposes.</summary>
    private static string ForbiddingRo() => SimulatedBootPolicy.Value
        .Replace("required: [\"root=/dev/sda1\", ro]", "required: [\"root=/dev/sda1\"]", StringComparison.Ordinal)
        .Replace("forbidden: [init,", "forbidden: [ro, init,", StringComparison.Ordinal);

    private static async Task<(AttestStack Stack, SimulatedNode Node)> EnrolledWithBaselineAsync(DatabaseProvider provider)
    {
        var stack = await AttestStack.StartAsync(provider, await TpmCaFolder.SwtpmLocalCaAsync());
        var node = await SimulatedNode.StartAsync();
        Assert.Equal("active", (await node.EnrollAsync(stack)).State);
        var first = await node.AttestAsync(stack);
        var approve = await stack.Verifier(AttestStack.AdminKey).PostAsJsonAsync($"v1/nodes/{node.NodeId}/baselines",
            new ApproveBaselineRequest(first.AttestationId, "first boot after racking"));
        Assert.Equal(HttpStatusCode.Created, approve.StatusCode);
        return (stack, node);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Bound_policy_fails_attestation_with_its_code_passes_once_fixed_and_dry_run_reports_what_would_break(DatabaseProvider provider)
    {
        var (stack, node) = await EnrolledWithBaselineAsync(provider);
        await using var _ = stack;
        await using var __ = node;
        var author = stack.Verifier(AttestStack.AdminKey);

        // Revision 1 forbids "ro", which this boot's command line has; bound through a node group.
        var upload = await author.PostAsJsonAsync("v1/policies", new UploadPolicyRequest(ForbiddingRo(), "sim.yaml", Activate: true, Reason: "first cut"));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await author.PutAsJsonAsync($"v1/nodes/{node.NodeId}/groups", new NodeGroupsRequest(["rack-a"]))).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await author.PostAsJsonAsync("v1/policy-bindings", new PolicyBindingRequest("swtpm-simulated-boot", PolicySelectors.Group, "rack-a"))).StatusCode);

        var failed = await node.AttestAsync(stack);
        var failure = Assert.Single(failed.Failures);
        Assert.Equal("policy.kernel_argument_forbidden", failure.Code);
        Assert.Contains("/kernel/commandLine/forbidden/0 (sim.yaml:", failure.Subject, StringComparison.Ordinal);
        Assert.Contains("(PCR 8, EV_IPL)", failure.Subject, StringComparison.Ordinal);
        Assert.Equal("ro", failure.Actual);

        // Dry-run of the shipped policy over the stored evidence: nothing would break.
        var dryRun = await author.PostAsJsonAsync("v1/policies/dry-run", new DryRunRequest(SimulatedBootPolicy.Value, "sim.yaml", LastN: 10));
        var report = await dryRun.Content.ReadFromJsonAsync<DryRunReport>();
        Assert.Equal(HttpStatusCode.OK, dryRun.StatusCode);
        Assert.True(report!.Evaluated >= 2, JsonSerializer.Serialize(report));
        Assert.Equal(0, report.WouldFail);

        // Revision 2 fixes it.
        Assert.Equal(HttpStatusCode.Created, (await author.PostAsJsonAsync("v1/policies", new UploadPolicyRequest(SimulatedBootPolicy.Value, "sim.yaml", Activate: true))).StatusCode);
        var passed = await node.AttestAsync(stack);
        Assert.True(passed.Passed, string.Join("; ", passed.Failures.Select(f => $"{f.Code}: {f.Message}")));

        // A candidate requiring "quiet" would break every stored attestation of the node, and says why.
        var candidate = SimulatedBootPolicy.Value.Replace("required: [\"root=/dev/sda1\", ro]", "required: [\"root=/dev/sda1\", ro, quiet]", StringComparison.Ordinal);
        var breaks = await (await author.PostAsJsonAsync("v1/policies/dry-run", new DryRunRequest(candidate, "candidate.yaml", LastN: 10))).Content.ReadFromJsonAsync<DryRunReport>();
        Assert.Equal(breaks!.Evaluated, breaks.WouldFail);
        Assert.All(breaks.Results.Where(r => r.Evaluated), r => Assert.Equal("policy.kernel_argument_missing", Assert.Single(r.Findings).Code));
        Assert.All(breaks.Results, r => Assert.Equal(node.NodeId, r.NodeId));

        // Rollback re-activates revision 1, and the audit trail shows who did what.
        var rolledBack = await (await author.PostAsJsonAsync("v1/policies/swtpm-simulated-boot/rollback", new RollbackPolicyRequest("testing rollback"))).Content.ReadFromJsonAsync<PolicyRevisionRecord>();
        Assert.Equal(1, rolledBack!.Revision);
        Assert.Equal("policy.kernel_argument_forbidden", Assert.Single((await node.AttestAsync(stack)).Failures).Code);
        var audit = await stack.Verifier(AttestStack.AuditorKey).GetFromJsonAsync<PolicyAuditRecord[]>("v1/policies/audit");
        Assert.NotNull(audit);
        Assert.Equal(["rollback", "upload+activate", "bind", "groups", "upload+activate"], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.False(string.IsNullOrEmpty(a.Actor)));
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Upload_that_fails_validation_changes_nothing_and_points_to_line_and_path(DatabaseProvider provider)
    {
        await using var stack = await AttestStack.StartAsync(provider, await TpmCaFolder.SwtpmLocalCaAsync());
        var author = stack.Verifier(AttestStack.AdminKey);
        Assert.Equal(HttpStatusCode.Created, (await author.PostAsJsonAsync("v1/policies", new UploadPolicyRequest(SimulatedBootPolicy.Value, "sim.yaml", Activate: true))).StatusCode);

        var broken = SimulatedBootPolicy.Value.Replace("  required: true\n", "  required: true\n  requird: false\n", StringComparison.Ordinal)
            .Replace("\"0000000000000000000000000000000000000000000000000000000000000000\"", "\"00\"", StringComparison.Ordinal);
        var response = await author.PostAsJsonAsync("v1/policies", new UploadPolicyRequest(broken, "sim.yaml", Activate: true));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("policy.invalid", problem.GetProperty("code").GetString());
        var errors = problem.GetProperty("errors").Deserialize<PolicyValidationError[]>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        Assert.Contains(errors, e => e.Code == "policy.unknown_key" && e.Path.StartsWith("/secureBoot", StringComparison.Ordinal) && e.Line is > 0);
        Assert.Contains(errors, e => e.Path == "/secureBoot/dbx/requiredHashes/0" && e.Line is > 0);

        var revisions = await author.GetFromJsonAsync<PolicyRevisionRecord[]>("v1/policies/swtpm-simulated-boot");
        var only = Assert.Single(revisions!);
        Assert.True(only.Active);
        var audit = await author.GetFromJsonAsync<PolicyAuditRecord[]>("v1/policies/audit");
        Assert.Equal("upload+activate", Assert.Single(audit!).Action);

        // A dry-run of an invalid candidate is refused the same way, and an auditor may not upload.
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await author.PostAsJsonAsync("v1/policies/dry-run", new DryRunRequest(broken))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stack.Verifier(AttestStack.AuditorKey).PostAsJsonAsync("v1/policies", new UploadPolicyRequest(SimulatedBootPolicy.Value))).StatusCode);
        Assert.Single((await author.GetFromJsonAsync<PolicyRevisionRecord[]>("v1/policies/swtpm-simulated-boot"))!);
    }

    [StorageTheory]
    [MemberData(nameof(StorageProviders.All), MemberType = typeof(StorageProviders))]
    public async Task Concurrent_uploads_get_distinct_revisions_or_a_conflict_and_every_stored_one_is_audited(DatabaseProvider provider)
    {
        await using var stack = await AttestStack.StartAsync(provider, await TpmCaFolder.SwtpmLocalCaAsync());
        var author = stack.Verifier(AttestStack.AdminKey);
        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            author.PostAsJsonAsync("v1/policies", new UploadPolicyRequest(SimulatedBootPolicy.Value.Replace("version: 1", $"version: {i + 1}", StringComparison.Ordinal)))));
        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var revisions = (await author.GetFromJsonAsync<PolicyRevisionRecord[]>("v1/policies/swtpm-simulated-boot"))!;
        Assert.Equal(responses.Count(r => r.StatusCode == HttpStatusCode.Created), revisions.Length);
        Assert.Equal(Enumerable.Range(1, revisions.Length), revisions.Select(r => r.Revision));
        Assert.Equal(revisions.Length, (await author.GetFromJsonAsync<PolicyAuditRecord[]>("v1/policies/audit"))!.Length);
    }
}
