using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Attest.Contracts.Verifier;
using Attest.EndToEnd.Tests;
using Attest.Tpm.Algorithms;

namespace Attest.Hooks.Tests.Stack;

/// <summary>
/// A swtpm-backed simulated machine (booted with the standard simulated UEFI boot, its event log in a file)
/// driven only through the attest-hook binary, as the ramdisk would drive a real one.
/// </summary>
public sealed class HookNode : IAsyncDisposable
{
    private HookNode(SimulatedNode node, AttestServices services)
    {
        Node = node;
        Services = services;
    }

    public SimulatedNode Node { get; }

    public AttestServices Services { get; }

    public string NodeId => Node.NodeId;

    /// <summary>A path that never exists: the test machine's own IMA log must not be sent as the node's.</summary>
    public string NoImaLog => Path.Combine(Node.StateDirectory, "no-ima-log");

    /// <summary>Each node has a TPM of its own (EKs no other node shares): the registrar is shared by the tests.</summary>
    public static async Task<HookNode> StartAsync(AttestServices services, string? nodeId = null) =>
        new(await SimulatedNode.StartAsync(nodeId, distinctTpm: true), services);

    /// <summary>Arguments every node-side command takes (the ramdisk sets them as ATTEST_* variables).</summary>
    public string[] NodeArguments(params string[] command) =>
        [.. command, "--registrar", Services.RegistrarUrl, "--verifier", Services.VerifierUrl, "--tpm", Node.Tpm.TpmSpec,
            "--node-id", NodeId, "--state-dir", Node.StateDirectory, "--retries", "1"];

    internal Task<HookRun> EnrollAsync() => HookRunner.RunAsync(NodeArguments("enroll"));

    internal Task<HookRun> AttestAsync(string? session = null, string purpose = "clean")
    {
        var arguments = NodeArguments("attest", "--purpose", purpose, "--event-log", Node.EventLogPath, "--ima-log", NoImaLog, "--format", "json");
        return HookRunner.RunAsync(session is null ? arguments : [.. arguments, "--session", session]);
    }

    /// <summary>Enrolls through the hook, attests once (no baseline yet) and has the operator approve that attestation.</summary>
    internal async Task<HookRun> EnrollAndApproveBaselineAsync()
    {
        var enrolled = await EnrollAsync();
        Assert.True(enrolled.ExitCode == 0, enrolled.ToString());
        var first = await AttestAsync(purpose: "manual");
        Assert.True(first.ExitCode == 1, first.ToString());
        Assert.Equal("baseline.missing", first.Json.GetProperty("failures")[0].GetProperty("code").GetString());
        using var verifier = Services.Verifier();
        var approve = await verifier.PostAsJsonAsync($"v1/nodes/{NodeId}/baselines",
            new ApproveBaselineRequest(first.Json.GetProperty("attestationId").GetString()!, "racked and checked"));
        Assert.Equal(HttpStatusCode.Created, approve.StatusCode);
        return enrolled;
    }

    /// <summary>Tampering: something measured into PCR 4 (boot applications) that the event log does not show.</summary>
    public async Task TamperAsync()
    {
        await using var client = Node.Tpm.OpenClient();
        await client.PcrExtendAsync(4, new Dictionary<TpmAlgId, byte[]> { [TpmAlgId.Sha256] = RandomNumberGenerator.GetBytes(32) });
    }

    public ValueTask DisposeAsync() => Node.DisposeAsync();
}
