using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Contracts.Registrar;
using Attest.Contracts.Verifier;
using Attest.Hooks.Node;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Tests.EventLog;
using Attest.Tpm.Tests.Swtpm;

namespace Attest.EndToEnd.Tests;

/// <summary>
/// A bare-metal node as the tests see it: a swtpm whose PCRs were extended by a simulated UEFI boot (the event log
/// the test wrote), and the real node agent (attest-hook's library) driving it.
/// </summary>
public sealed class SimulatedNode : IAsyncDisposable
{
    private static readonly Lazy<byte[]> DbCertificate = new(() =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Simulated Secure Boot db", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(5));
        return certificate.RawData;
    });

    private SimulatedNode(string nodeId, SwtpmInstance tpm, string stateDirectory)
    {
        NodeId = nodeId;
        Tpm = tpm;
        StateDirectory = stateDirectory;
    }

    public string NodeId { get; }

    public SwtpmInstance Tpm { get; }

    public string StateDirectory { get; }

    public string EventLogPath => Path.Combine(StateDirectory, "binary_bios_measurements");

    public EventLogWriter? Boot { get; private set; }

    /// <param name="distinctTpm">A TPM with EKs of its own (another machine); otherwise a copy of the run's shared TPM.</param>
    public static async Task<SimulatedNode> StartAsync(string? nodeId = null, bool distinctTpm = false)
    {
        var tpm = await SwtpmInstance.StartAsync(distinctTpm);
        var state = Directory.CreateTempSubdirectory("attest-node-").FullName;
        var node = new SimulatedNode(nodeId ?? "node-" + Guid.NewGuid().ToString("N")[..12], tpm, state);
        await node.BootAsync(TypicalBoot());
        return node;
    }

    /// <summary>The standard simulated boot (firmware 1.2.3, Secure Boot on, shim → GRUB → kernel) in the SHA-256 bank.</summary>
    public static EventLogWriter TypicalBoot() => EventLogWriter.TypicalUefiBoot(DbCertificate.Value, TpmAlgId.Sha256);

    /// <summary>What the simulated firmware <paramref name="version"/> measures as its firmware volume.</summary>
    public static string FirmwareVolume(string version) => "firmware volume " + version;

    /// <summary>
    /// The simulated boot with firmware <paramref name="version"/>: its CRTM version string and firmware volume;
    /// with <paramref name="changeDb"/> also another Secure Boot db certificate.
    /// </summary>
    public static EventLogWriter FirmwareBoot(string version, bool changeDb = false)
    {
        var boot = TypicalBoot();
        var events = boot.Events.ToList();
        var crtm = events.FindIndex(e => e.Type == Attest.Tpm.EventLog.TcgEventType.SCrtmVersion);
        boot.Replace(crtm, Measured(events[crtm], EventLogWriter.Utf16(version), EventLogWriter.Utf16(version)));
        var blob = events.FindIndex(e => e.Type == Attest.Tpm.EventLog.TcgEventType.EfiPlatformFirmwareBlob);
        boot.Replace(blob, Measured(events[blob], events[blob].Data, System.Text.Encoding.ASCII.GetBytes(FirmwareVolume(version))));
        if (changeDb)
        {
            var db = events.FindIndex(e => e.Type == Attest.Tpm.EventLog.TcgEventType.EfiVariableDriverConfig && e.Data.Length > 40
                && System.Text.Encoding.Unicode.GetString(e.Data).Contains("db", StringComparison.Ordinal));
            var data = (byte[])events[db].Data.Clone();
            data[^1] ^= 0xFF; // another db certificate
            boot.Replace(db, Measured(events[db], data, data));
        }

        return boot;

        static EventLogWriter.WrittenEvent Measured(EventLogWriter.WrittenEvent e, byte[] data, byte[] measured) =>
            e with { Data = data, Digests = e.Digests.ToDictionary(d => d.Key, d => TpmHash.Compute(d.Key, measured)) };
    }

    /// <summary>Extends every event of <paramref name="boot"/> into the TPM and writes the log where the agent reads it.</summary>
    public async Task BootAsync(EventLogWriter boot)
    {
        await using (var client = Tpm.OpenClient())
        {
            foreach (var e in boot.Events.Where(e => e.Type != Attest.Tpm.EventLog.TcgEventType.NoAction))
            {
                await client.PcrExtendAsync((int)e.Pcr, e.Digests.ToDictionary(d => d.Key, d => d.Value));
            }
        }

        await File.WriteAllBytesAsync(EventLogPath, boot.ToArray());
        Boot = boot;
    }

    /// <summary>A reboot: TPM reset (PCRs cleared, resetCount advances), then <paramref name="boot"/>.</summary>
    public async Task RebootAsync(EventLogWriter boot)
    {
        await Tpm.RestartAsync();
        await BootAsync(boot);
    }

    public async Task<ActivationResult> EnrollAsync(AttestStack stack)
    {
        await using var tpm = new TpmNode(Tpm.OpenClient());
        return await NodeEnrollment.EnrollAsync(tpm, stack.NodeRegistrar(), new NodeEnrollment.Options(NodeId, StateDirectory), CancellationToken.None);
    }

    public async Task<Verdict> AttestAsync(AttestStack stack, string? sessionId = null, string? eventLogPath = null)
    {
        await using var tpm = new TpmNode(Tpm.OpenClient());
        return await NodeAttestation.AttestAsync(tpm, stack.NodeVerifier(),
            new NodeAttestation.Options(StateDirectory, "clean", sessionId, eventLogPath ?? EventLogPath), CancellationToken.None);
    }

    /// <summary>Evidence for <paramref name="session"/> built by hand (for replays, races and tampering).</summary>
    public async Task<EvidenceSubmission> QuoteAsync(AttestationSession session, byte[]? eventLog = null)
    {
        var state = NodeState.Load(StateDirectory) ?? throw new InvalidOperationException("not enrolled");
        await using var tpm = new TpmNode(Tpm.OpenClient());
        var ak = await tpm.LoadAttestationKeyAsync(state, CancellationToken.None);
        try
        {
            var selection = new PcrSelection(session.Pcrs.Select(b => TpmAlgNames.TryParseHash(b.Key, out var h) ? new PcrBankSelection(h, b.Value) : throw new InvalidOperationException()));
            var (attest, signature, values) = await tpm.QuoteAsync(ak, session.Nonce, selection, CancellationToken.None);
            return new EvidenceSubmission(attest, signature, values.ToHex(), eventLog ?? await File.ReadAllBytesAsync(EventLogPath));
        }
        finally
        {
            await tpm.FlushAsync(ak);
        }
    }

    public static async Task<AttestationSession> OpenSessionAsync(AttestStack stack, string nodeId, OpenSessionRequest? request = null)
    {
        var response = await stack.Verifier().PostAsJsonAsync($"v1/nodes/{nodeId}/sessions", request ?? new OpenSessionRequest("clean"));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<AttestationSession>())!;
    }

    public async ValueTask DisposeAsync()
    {
        await Tpm.DisposeAsync();
        Directory.Delete(StateDirectory, recursive: true);
    }
}
