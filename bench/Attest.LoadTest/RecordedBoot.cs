using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Attest.Tpm.Algorithms;
using Attest.Tpm.Pcrs;
using Attest.Tpm.Tests.EventLog;

namespace Attest.LoadTest;

/// <summary>
/// The recorded boot every simulated node ran (firmware, Secure Boot keys, shim → GRUB → kernel; SHA-256 bank):
/// its event log and the PCR values it extends to. PCRs it does not touch stay zero, as after a TPM reset.
/// </summary>
internal sealed class RecordedBoot
{
    private readonly Dictionary<int, string> _hex = [];

    private RecordedBoot(byte[] eventLog, PcrValues values)
    {
        EventLog = eventLog;
        Values = values;
        for (var i = 0; i < 24; i++)
        {
            values.TryGet(TpmAlgId.Sha256, i, out var value);
            _hex[i] = Convert.ToHexStringLower(value.Span);
        }
    }

    public byte[] EventLog { get; }

    public PcrValues Values { get; }

    public string Hex(int pcr) => _hex[pcr];

    public static RecordedBoot Create()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Load test Secure Boot db", key, HashAlgorithmName.SHA256);
        using var db = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var boot = EventLogWriter.TypicalUefiBoot(db.RawData, TpmAlgId.Sha256);
        var values = new PcrValues();
        for (var i = 0; i < 24; i++)
        {
            values.Set(TpmAlgId.Sha256, i, new byte[32]);
        }

        foreach (var (pcr, value) in boot.ExpectedPcrs()[TpmAlgId.Sha256])
        {
            values.Set(TpmAlgId.Sha256, pcr, value);
        }

        return new RecordedBoot(boot.ToArray(), values);
    }
}
